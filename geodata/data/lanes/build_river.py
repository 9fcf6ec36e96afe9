#!/usr/bin/env python3
"""Build river_points.csv and river_edges.csv (the Yangtze, Chenglingji to the sea).

Stdlib only:  python3 geodata/data/lanes/build_river.py  (then check_lanes.py)

COURSE below is the river's course as control points (id lat lon name), traced
from memory of the river (towns, bridges, bends), not digitised from a chart.
A polyline through such points under-measures a meandering river, so between
each pair of control points the builder inserts one meander point, offset
sideways (alternately left and right) by the same amount over a reach; the
offset is solved so that each reach in TARGETS measures its published sailing
distance.  Edit COURSE or TARGETS and re-run; do not edit the CSVs by hand.
"""
COURSE = """
yz_sanjiangkou 29.465 113.155 Sanjiangkou: Dongting Lake outlet joins the Yangtze|
yz_songyang 29.500 113.215 Yangtze off Chenglingji New Port (Songyang Lake)|
yz_km_baiyan 29.565 113.270 Yangtze below Chenglingji (Baiyanzhou reach)|
yz_luoshan 29.640 113.330 Yangtze at Luoshan gauge|
yz_km_honghu_w 29.720 113.390 Yangtze above Honghu|
yz_xindi 29.790 113.455 Yangtze at Xindi (Honghu)|
yz_km_honghu_e 29.840 113.540 Yangtze below Honghu|
yz_longkou 29.890 113.610 Yangtze at Longkou|
yz_km_paizhou_w 29.960 113.680 Paizhou bend, western limb|
yz_paizhou 30.040 113.730 Paizhou bend at Paizhouwan|
yz_km_paizhou_n 30.110 113.790 Paizhou bend, northern arc|
yz_km_paizhou_ne 30.130 113.880 Paizhou bend, north-eastern arc|
yz_km_paizhou_e 30.080 113.950 Paizhou bend, eastern limb|
yz_jiayu 30.000 113.960 Yangtze at Jiayu|
yz_km_jiayu_e 29.985 114.040 Yangtze below Jiayu|
yz_km_dengjiakou 30.050 114.090 Yangtze turning north toward Wuhan|
yz_km_xintan 30.150 114.080 Yangtze at Xintan|
yz_km_jinkou_s 30.250 114.060 Yangtze above Jinkou|
yz_jinkou 30.330 114.100 Yangtze at Jinkou|
yz_junshan 30.420 114.140 Yangtze at Junshan Bridge|
yz_baishazhou 30.500 114.230 Yangtze at Baishazhou|
yz_hankou 30.555 114.285 Yangtze at Wuhan (Hankou / Wuhan Yangtze Bridge)|
yz_km_erqi 30.610 114.330 Yangtze at the Erqi bridge|
yz_tianxingzhou 30.650 114.400 Yangtze at Tianxingzhou|
yz_km_yangluo_w 30.660 114.480 Yangtze above Yangluo|
yz_yangluo 30.645 114.550 Yangtze at Yangluo|
yz_km_yangluo_e 30.600 114.640 Yangtze below Yangluo|
yz_gedian 30.540 114.720 Yangtze at Gedian|
yz_ezhou 30.450 114.830 Yangtze at Ezhou/Huangzhou|
yz_km_ezhou_s 30.380 114.900 Yangtze below Ezhou|
yz_km_huangshi_n 30.300 114.980 Yangtze above Huangshi|
yz_huangshi 30.240 115.060 Yangtze at Huangshi|
yz_xisaishan 30.200 115.170 Yangtze at Xisaishan|
yz_km_qichun_n 30.130 115.260 Yangtze above Qichun|
yz_qichun 30.060 115.350 Yangtze at Qizhou (Qichun)|
yz_km_wuxue_n 29.960 115.420 Yangtze above Wuxue|
yz_wuxue 29.870 115.520 Yangtze at Wuxue|
yz_km_longping 29.830 115.630 Yangtze at Longping|
yz_km_matou 29.790 115.740 Yangtze at Matou|
yz_km_jiujiang_w 29.740 115.850 Yangtze above Jiujiang|
yz_jiujiang 29.730 115.980 Yangtze at Jiujiang|
yz_km_jiujiang_e 29.750 116.100 Yangtze below Jiujiang|
yz_hukou 29.760 116.210 Yangtze at Hukou (Poyang Lake outlet)|
yz_km_hukou_e 29.820 116.320 Yangtze below Hukou|
yz_xiaogushan 29.870 116.430 Yangtze at Xiaogushan (Pengze)|
yz_km_pengze_e 29.950 116.560 Yangtze below Pengze|
yz_km_madang 30.030 116.670 Yangtze at Madang reach|
yz_dongliu 30.110 116.780 Yangtze at Dongliu|
yz_km_dongliu_n 30.200 116.860 Yangtze below Dongliu|
yz_km_anqing_s 30.300 116.920 Yangtze at Huayang|
yz_km_anqing_sw 30.400 116.980 Yangtze above Anqing|
yz_anqing 30.490 117.040 Yangtze at Anqing|
yz_km_anqing_e 30.570 117.130 Yangtze below Anqing|
yz_km_zongyang_w 30.650 117.230 Yangtze above Zongyang|
yz_zongyang 30.720 117.340 Yangtze at Zongyang|
yz_km_datong_w 30.770 117.480 Yangtze above Datong|
yz_datong 30.800 117.620 Yangtze at Datong|
yz_km_tongling_w 30.880 117.720 Yangtze above Tongling|
yz_tongling 30.950 117.800 Yangtze at Tongling|
yz_km_tongling_e 31.030 117.900 Yangtze below Tongling|
yz_km_digang 31.100 118.020 Yangtze at Digang|
yz_km_fanchang 31.160 118.140 Yangtze off Fanchang|
yz_km_wuhu_s 31.240 118.260 Yangtze above Wuhu|
yz_wuhu 31.330 118.350 Yangtze at Wuhu|
yz_km_wuhu_n 31.440 118.380 Yangtze below Wuhu|
yz_km_maanshan_s 31.560 118.420 Yangtze above Ma'anshan|
yz_maanshan 31.680 118.470 Yangtze at Ma'anshan|
yz_km_nanjing_s 31.800 118.540 Yangtze above Nanjing|
yz_km_nanjing_sw 31.920 118.600 Yangtze at Dashengguan|
yz_jiangxinzhou 32.020 118.680 Yangtze at Jiangxinzhou (Nanjing)|
yz_nanjing 32.100 118.740 Yangtze at the Nanjing Yangtze Bridge|
yz_baguazhou 32.170 118.820 Yangtze at Baguazhou|
yz_km_longtan_w 32.170 118.950 Yangtze above Longtan|
yz_longtan 32.170 119.030 Yangtze at Longtan|
yz_km_yizheng 32.230 119.130 Yangtze off Yizheng|
yz_km_yizheng_e 32.250 119.250 Yangtze below Yizheng|
yz_runyang 32.220 119.380 Yangtze at the Runyang bridge|
yz_zhenjiang 32.230 119.500 Yangtze at Zhenjiang (Jiaoshan)|
yz_dagang 32.230 119.630 Yangtze at Dagang (Zhenjiang)|
yz_km_yangzhong_n 32.150 119.770 Yangtze past Yangzhong|
yz_km_yangzhong_s 32.040 119.900 Yangtze below Yangzhong|
yz_km_jiangyin_w 31.960 120.060 Yangtze above Jiangyin|
yz_km_jiangyin_w2 31.950 120.200 Yangtze above Jiangyin|
yz_jiangyin 31.950 120.280 Yangtze at the Jiangyin bridge|
yz_zhangjiagang 31.970 120.420 Yangtze off Zhangjiagang|
yz_km_nantong_w 32.000 120.550 Yangtze above Nantong|
yz_km_nantong_w2 31.990 120.700 Yangtze above Nantong|
yz_nantong 31.960 120.850 Yangtze at Nantong|
yz_km_nantong_e 31.860 120.950 Yangtze below Nantong|
yz_sutong 31.770 121.030 Yangtze at the Sutong bridge|
yz_km_taicang_w 31.680 121.150 Yangtze above Taicang|
yz_taicang 31.620 121.250 Yangtze off Taicang|
yz_liuhe 31.520 121.350 Yangtze south branch off Liuhe|
yz_luojing 31.450 121.440 Yangtze south branch off Luojing|
yz_wusong 31.395 121.550 Yangtze off Wusongkou (Huangpu mouth)|
"""
import sys, math, csv, io, os
sys.dont_write_bytecode = True
HERE=os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0,HERE)
import check_lanes as c
L=[l.split(' ',3) for l in COURSE.strip().split('\n')]
ctrl=[(p,float(a),float(b),n.rstrip('|')) for p,a,b,n in L]
idx={p:i for i,(p,_,_,_) in enumerate(ctrl)}
# Published Yangtze sailing distances (km) per reach.
targets=[('yz_sanjiangkou','yz_hankou',227),('yz_hankou','yz_yangluo',32),('yz_yangluo','yz_jiujiang',237),('yz_jiujiang','yz_anqing',165),
         ('yz_anqing','yz_wuhu',203),('yz_wuhu','yz_nanjing',96),('yz_nanjing','yz_wusong',368)]
def offset_mid(p,q,amp):
    # midpoint displaced perpendicular by amp km (positive = left of travel)
    la=(p[0]+q[0])/2; lo=(p[1]+q[1])/2
    kx=111.32*math.cos(math.radians(la)); ky=110.57
    dx=(q[1]-p[1])*kx; dy=(q[0]-p[0])*ky; n=math.hypot(dx,dy)
    ox,oy=-dy/n*amp, dx/n*amp
    return (la+oy/ky, lo+ox/kx)
out=[]  # (id,lat,lon,name,source)
for a,b,tgt in targets:
    seg=ctrl[idx[a]:idx[b]+1]
    def build(amp):
        pts=[(seg[0][1],seg[0][2])]; mids=[]
        sgn=1
        for (p,pl,po,_),(q,ql,qo,_) in zip(seg,seg[1:]):
            m=offset_mid((pl,po),(ql,qo),sgn*amp); sgn=-sgn
            mids.append(m); pts+= [m,(ql,qo)]
        return pts,mids
    def length(amp):
        pts,_=build(amp); return sum(c.vincenty_km(*u,*v) for u,v in zip(pts,pts[1:]))
    lo,hi=0.0,20.0
    base=length(0)
    for _ in range(60):
        m=(lo+hi)/2
        if length(m)<tgt: lo=m
        else: hi=m
    amp=lo if base<tgt else 0.0
    pts,mids=build(amp)
    print(f'{a}->{b}: chord polyline {base:.0f} km, target {tgt}, meander offset {amp:.1f} km', file=sys.stderr)
    for k,((p,pl,po,pn),(q,_,_,qn)) in enumerate(zip(seg,seg[1:])):
        if not out or out[-1][0]!=p:
            out.append((p,pl,po,pn,'approximate course from memory of the river (not digitised from a chart)'))
        if amp>0:
            ml,mo=mids[k]
            out.append((f'{p}_m',ml,mo,f'Yangtze meander between {pn.replace("Yangtze ","")} and {qn.replace("Yangtze ","")}',
                        f'meander point offset {amp:.1f} km from the chord so that the reach {a}-{b} measures the published {tgt} km'))
    q=seg[-1]; out.append((q[0],q[1],q[2],q[3],'approximate course from memory of the river (not digitised from a chart)'))
# dedupe consecutive
seen=set(); rows=[]
for r in out:
    if r[0] in seen: continue
    seen.add(r[0]); rows.append(r)
extra=[('huangpu_3',31.345,121.540,'Huangpu River lower reach above Wusongkou','approximate (from memory): Huangpu fairway'),
('huangpu_2',31.300,121.565,'Huangpu River off Fuxing Island','approximate (from memory): Huangpu fairway'),
('huangpu_1',31.262,121.535,'Huangpu River at Yangpu Bridge','approximate (from memory): Huangpu fairway, Shanghai'),
('yz_wgq',31.345,121.620,'Yangtze South Channel off Waigaoqiao','approximate (from memory): Nangang (South Channel) fairway'),
('yz_south_ch',31.300,121.760,'Yangtze South Channel west of Hengsha','approximate (from memory): Nangang fairway'),
('yz_north_passage',31.230,121.950,'Yangtze North Passage deep-water channel','approximate (from memory): 12.5 m deep-water channel axis'),
('yz_np_east',31.150,122.150,'Yangtze deep-water channel, outer reach','approximate (from memory): 12.5 m deep-water channel axis'),
('xiang_wangcheng',28.450,112.880,'Xiang River at Wangcheng (Tongguan)','approximate (from memory): Xiang River course'),
('xiang_qiaokou',28.570,112.850,'Xiang River at Qiaokou','approximate (from memory): Xiang River course'),
('xiang_xiangyin',28.680,112.880,'Xiang River at Xiangyin','approximate (from memory): Xiang River course'),
('dongting_haohe',28.820,112.930,'Xiang River mouth into East Dongting Lake (Haohekou)','approximate (from memory): Dongting Lake navigation channel'),
('dongting_e1',28.960,112.980,'East Dongting Lake','approximate (from memory): Dongting Lake navigation channel'),
('dongting_e2',29.110,113.020,'East Dongting Lake','approximate (from memory): Dongting Lake navigation channel'),
('dongting_e3',29.260,113.060,'East Dongting Lake east of Junshan','approximate (from memory): Dongting Lake navigation channel'),
('dongting_yueyang',29.370,113.095,'Dongting Lake off Yueyang','approximate (from memory): Dongting Lake navigation channel'),
('yangtze_mouth',31.080,122.400,'Yangtze mouth, seaward end of the deep-water channel (meets the sea lanes)','approximate (from memory): Changjiangkou approaches')]
rows+=extra
f=io.StringIO(); w=csv.writer(f,lineterminator='\n'); w.writerow(['id','lat','lon','name','source'])
for r in rows: w.writerow([r[0],'%.4f'%r[1],'%.4f'%r[2],r[3],r[4]])
open(os.path.join(HERE,'river_points.csv'),'w').write(f.getvalue())
main=[r[0] for r in out if r[0] in seen]
# edges along the main polyline (in order of rows before extras)
ids=[r[0] for r in rows if r not in extra]
E=[('a','b','note')]
E.append(('CNCLJ','yz_sanjiangkou','Chenglingji port to the Yangtze (Dongting outlet)'))
for u,v in zip(ids,ids[1:]): E.append((u,v,'Yangtze'))
E+= [('CNCLJ-SYH','yz_songyang','Songyang Lake terminal'),('CNWUH','yz_yangluo','Yangluo container port'),
('CNJIU','yz_jiujiang','Jiujiang port'),('CNNKG','yz_longtan','Longtan container port'),('CNTAG','yz_taicang','Taicang port'),
('yz_wusong','huangpu_3','Huangpu mouth at Wusongkou'),('huangpu_3','huangpu_2','Huangpu River'),('huangpu_2','huangpu_1','Huangpu River'),
('huangpu_1','CNSHA','Huangpu River to the city waterfront'),('yz_wusong','yz_wgq','Yangtze South Channel'),('yz_wgq','CNSHA-WGQ','Waigaoqiao berths'),
('yz_wgq','yz_south_ch','Yangtze South Channel'),('yz_south_ch','yz_north_passage','deep-water channel'),('yz_north_passage','yz_np_east','deep-water channel'),
('yz_np_east','yangtze_mouth','deep-water channel to the sea'),
('CNCSX','xiang_wangcheng','Xiang River'),('xiang_wangcheng','xiang_qiaokou','Xiang River'),('xiang_qiaokou','xiang_xiangyin','Xiang River'),
('xiang_xiangyin','dongting_haohe','Xiang River'),('dongting_haohe','dongting_e1','East Dongting Lake'),('dongting_e1','dongting_e2','East Dongting Lake'),
('dongting_e2','dongting_e3','East Dongting Lake'),('dongting_e3','dongting_yueyang','East Dongting Lake'),('dongting_yueyang','CNCLJ','Dongting Lake outlet to Chenglingji')]
f=io.StringIO(); w=csv.writer(f,lineterminator='\n'); w.writerows(E)
open(os.path.join(HERE,'river_edges.csv'),'w').write(f.getvalue())

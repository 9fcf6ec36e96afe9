#!/usr/bin/env python3
"""Build rail_points.csv and rail_edges.csv (China-Europe corridors and the
Beijing-Guangzhou line).

Stdlib only:  python3 geodata/data/lanes/build_rail.py  (then check_lanes.py)

LINES lists each railway as a sequence of stops: node codes from nodes.csv
(uppercase) or points defined here with p(id, lat, lon, name).  Every point
is a place on the line (a station, a junction, a pass), at its position as
remembered (not surveyed, not digitised from a map); consecutive stops are
joined by an edge drawn along the geodesic between them.  There are no
other points: nothing is offset from the line.

A chord between stations 50-150 km apart is shorter than the track, which
curves through valleys and passes.  For each section in CAL, whose
published length is known, every edge of the section (the shortest station
path between its ends) gets the same factor = published length / sum of the
geodesic lengths of those edges, rounded to 4 decimals; the loader
multiplies an edge's geodesic length by its factor (geodata/lanes.h).  A
section therefore measures its published length by construction.  Edges
outside every CAL section have no factor (they read short).  A factor above
1.5 (check_lanes.py warns) means the stops are too sparse to follow the
line: add stops rather than accept it.  Edit LINES or CAL and re-run; do not
edit the CSVs by hand.
"""
import csv, io, math, os, sys
sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_lanes as c

# Each line: (line name, source note, [stops]); a stop is a node code (uppercase) or
# a point id; points are defined in P on first use: id -> (lat, lon, name)
P = {}
def p(i, la, lo, name):
    P[i] = (la, lo, name); return i
LINES = []
def line(name, src, stops):
    LINES.append((name, src, stops))

JG = "Beijing-Guangzhou railway (Jingguang)"
line(JG + " south", "approximate alignment from memory: stations along the Jingguang railway", [
 "CNCAN-DL",
 p("cn_guangzhou_n", 23.40, 113.22, "Guangzhou north (Huadu), Jingguang railway"),
 p("cn_yuantan", 23.78, 113.10, "Yuantan (Qingyuan), Jingguang railway"),
 p("cn_yingde", 24.18, 113.40, "Yingde, Jingguang railway"),
 p("cn_shaoguan", 24.80, 113.60, "Shaoguan, Jingguang railway"),
 p("cn_lechang", 25.13, 113.35, "Lechang, Jingguang railway"),
 p("cn_pingshi", 25.32, 113.05, "Pingshi, Jingguang railway (Nanling pass)"),
 p("cn_chenzhou", 25.78, 113.03, "Chenzhou, Jingguang railway"),
 p("cn_leiyang", 26.42, 112.86, "Leiyang, Jingguang railway"),
 p("cn_hengyang", 26.89, 112.62, "Hengyang, Jingguang railway"),
 p("cn_hengshan", 27.25, 112.86, "Hengshan, Jingguang railway"),
 p("cn_zhuzhou", 27.85, 113.15, "Zhuzhou, Jingguang railway"),
 p("cn_changsha", 28.19, 112.99, "Changsha, Jingguang railway"),
 "CNCSX-XN",
 p("cn_miluo", 28.80, 113.08, "Miluo, Jingguang railway"),
 p("cn_yueyang", 29.36, 113.12, "Yueyang, Jingguang railway"),
 "CNCLJ-YYN",
 p("cn_linxiang", 29.48, 113.45, "Linxiang, Jingguang railway"),
 p("cn_puqi", 29.72, 113.88, "Chibi (Puqi), Jingguang railway"),
 p("cn_xianning", 29.84, 114.32, "Xianning, Jingguang railway"),
 p("cn_wuchang", 30.53, 114.32, "Wuchang, Wuhan"),
 p("cn_hankou", 30.62, 114.25, "Hankou, Wuhan"),
 p("cn_hengdian", 30.80, 114.30, "Hengdian (Huangpi), Jingguang railway"),
 p("cn_xiaogan", 30.92, 113.92, "Xiaogan, Jingguang railway"),
 p("cn_huayuan", 31.27, 113.95, "Huayuan, Jingguang railway"),
 p("cn_guangshui", 31.62, 113.82, "Guangshui, Jingguang railway"),
 p("cn_xinyang", 32.13, 114.07, "Xinyang, Jingguang railway"),
 p("cn_queshan", 32.80, 114.03, "Queshan, Jingguang railway"),
 p("cn_zhumadian", 32.98, 114.02, "Zhumadian, Jingguang railway"),
 p("cn_luohe", 33.58, 114.02, "Luohe, Jingguang railway"),
 p("cn_xuchang", 34.03, 113.85, "Xuchang, Jingguang railway"),
 p("cn_zhengzhou", 34.75, 113.65, "Zhengzhou (Jingguang / Longhai junction)"),
])
line("Wujiashan spur", "approximate: Hankou to the Wujiashan container centre", ["cn_hankou", "CNWUH-WJS"])
line(JG + " north", "approximate alignment from memory: stations along the Jingguang railway", [
 "cn_zhengzhou",
 p("cn_xinxiang", 35.30, 113.88, "Xinxiang, Jingguang railway"),
 p("cn_anyang", 36.10, 114.35, "Anyang, Jingguang railway"),
 p("cn_handan", 36.61, 114.49, "Handan, Jingguang railway"),
 p("cn_xingtai", 37.07, 114.50, "Xingtai, Jingguang railway"),
 p("cn_shijiazhuang", 38.04, 114.50, "Shijiazhuang, Jingguang railway"),
 p("cn_dingzhou", 38.52, 114.99, "Dingzhou, Jingguang railway"),
 p("cn_baoding", 38.87, 115.48, "Baoding, Jingguang railway"),
 p("cn_zhuozhou", 39.49, 115.97, "Zhuozhou, Jingguang railway"),
 p("cn_beijing_ft", 39.85, 116.30, "Beijing Fengtai"),
])
line("Beijing-Baotou railway and Zhangjiakou-Jining railway", "approximate alignment from memory", [
 "cn_beijing_ft",
 p("cn_nankou", 40.24, 116.13, "Nankou, Beijing-Baotou railway"),
 p("cn_kangzhuang", 40.41, 115.95, "Kangzhuang, Beijing-Baotou railway"),
 p("cn_shacheng", 40.41, 115.52, "Shacheng (Huailai), Beijing-Baotou railway"),
 p("cn_xuanhua", 40.60, 115.05, "Xuanhua, Beijing-Baotou railway"),
 p("cn_zhangjiakou", 40.77, 114.88, "Zhangjiakou"),
 p("cn_huaian_hb", 40.67, 114.42, "Huai'an (Hebei), Zhangjiakou-Jining railway"),
 p("cn_xinghe", 40.87, 113.83, "Xinghe, Zhangjiakou-Jining railway"),
 p("cn_jining_nm", 41.03, 113.10, "Jining (Ulanqab)"),
])
line("Jining-Erenhot railway", "approximate alignment from memory", [
 "cn_jining_nm",
 p("cn_jier_1", 41.75, 112.90, "Jining-Erenhot railway, Chahar Right Rear Banner"),
 p("cn_jier_2", 42.45, 112.70, "Jining-Erenhot railway, Zhurihe area"),
 p("cn_jier_3", 43.05, 112.35, "Jining-Erenhot railway, Saihan Tal area"),
 "CNTSN-EHT", "MNULN-ZMU",
])
line("Trans-Mongolian railway", "approximate alignment from memory: Zamyn-Uud - Ulaanbaatar - Naushki", [
 "MNULN-ZMU",
 p("mn_airag", 44.35, 110.90, "Trans-Mongolian railway, East Gobi"),
 p("mn_sainshand", 44.89, 110.14, "Sainshand"),
 p("mn_choir_s", 45.60, 109.30, "Trans-Mongolian railway, south of Choir"),
 p("mn_choir", 46.36, 108.36, "Choir"),
 p("mn_bayan", 47.20, 107.50, "Trans-Mongolian railway, Bayan area"),
 p("mn_ulaanbaatar", 47.91, 106.88, "Ulaanbaatar"),
 p("mn_zuunkharaa", 48.86, 106.46, "Zuunkharaa"),
 p("mn_darkhan", 49.47, 105.95, "Darkhan"),
 p("mn_sukhbaatar", 50.23, 106.20, "Sukhbaatar (Mongolia-Russia border)"),
 p("ru_naushki", 50.40, 106.11, "Naushki (Russia-Mongolia border)"),
 p("ru_gusinoozersk", 51.28, 106.50, "Gusinoozyorsk"),
 p("ru_ulanude", 51.83, 107.60, "Ulan-Ude (Zaudinsky), Trans-Siberian junction"),
])
TS = "Trans-Siberian railway"
line(TS + " Ulan-Ude - Yekaterinburg", "approximate alignment from memory: Trans-Siberian main line stations", [
 "ru_ulanude",
 p("ru_selenginsk", 52.00, 106.90, "Selenginsk, Trans-Siberian"),
 p("ru_mysovaya", 51.72, 105.86, "Babushkin (Mysovaya), Lake Baikal"),
 p("ru_vydrino", 51.45, 104.65, "Vydrino, Lake Baikal"),
 p("ru_slyudyanka", 51.66, 103.71, "Slyudyanka, Lake Baikal"),
 p("ru_irkutsk", 52.28, 104.28, "Irkutsk"),
 p("ru_usolye", 52.75, 103.64, "Usolye-Sibirskoye"),
 p("ru_zima", 53.92, 102.05, "Zima"),
 p("ru_tulun", 54.56, 100.58, "Tulun"),
 p("ru_nizhneudinsk", 54.90, 99.03, "Nizhneudinsk"),
 p("ru_tayshet", 55.94, 98.00, "Tayshet"),
 p("ru_ilanskaya", 56.23, 96.06, "Ilanskaya"),
 p("ru_uyar", 55.81, 94.33, "Uyar"),
 p("ru_krasnoyarsk", 56.01, 92.87, "Krasnoyarsk"),
 p("ru_achinsk", 56.27, 90.50, "Achinsk"),
 p("ru_mariinsk", 56.21, 87.75, "Mariinsk"),
 p("ru_taiga", 56.06, 85.62, "Taiga"),
 p("ru_yurga", 55.72, 84.90, "Yurga"),
 p("ru_novosibirsk", 55.03, 82.92, "Novosibirsk"),
 p("ru_kargat", 55.19, 80.28, "Kargat"),
 p("ru_barabinsk", 55.35, 78.35, "Barabinsk"),
 p("ru_tatarsk", 55.21, 75.98, "Tatarsk"),
 p("ru_omsk", 54.98, 73.37, "Omsk"),
 p("ru_nazyvayevsk", 55.57, 71.35, "Nazyvayevsk"),
 p("ru_ishim", 56.11, 69.48, "Ishim"),
 p("ru_zavodoukovsk", 56.50, 66.55, "Zavodoukovsk"),
 p("ru_tyumen", 57.15, 65.53, "Tyumen"),
 p("ru_kamyshlov", 56.85, 62.70, "Kamyshlov"),
 p("ru_yekaterinburg", 56.84, 60.60, "Yekaterinburg"),
])
line(TS + " Yekaterinburg - Moscow (via Perm, Kirov, Yaroslavl)", "approximate alignment from memory: Trans-Siberian main line stations", [
 "ru_yekaterinburg",
 p("ru_kuzino", 57.02, 59.45, "Kuzino"),
 p("ru_kungur", 57.43, 56.95, "Kungur"),
 p("ru_perm", 58.01, 56.25, "Perm"),
 p("ru_vereshchagino", 58.08, 54.66, "Vereshchagino"),
 p("ru_balezino", 57.98, 53.01, "Balezino"),
 p("ru_glazov", 58.14, 52.66, "Glazov"),
 p("ru_kirov", 58.60, 49.66, "Kirov"),
 p("ru_kotelnich", 58.31, 48.33, "Kotelnich"),
 p("ru_shabalino", 58.30, 47.10, "Shabalino (Svecha)"),
 p("ru_sharya", 58.37, 45.52, "Sharya"),
 p("ru_manturovo", 58.33, 44.76, "Manturovo"),
 p("ru_galich", 58.38, 42.35, "Galich"),
 p("ru_buy", 58.48, 41.52, "Buy"),
 p("ru_danilov", 58.19, 40.18, "Danilov"),
 p("ru_yaroslavl", 57.63, 39.87, "Yaroslavl"),
 p("ru_rostov", 57.19, 39.41, "Rostov Veliky"),
 p("ru_aleksandrov", 56.40, 38.71, "Aleksandrov"),
 p("ru_sergiev_posad", 56.31, 38.13, "Sergiev Posad"),
 "RUMOW",
])
line("Zabaykalsk - Chita - Ulan-Ude", "approximate alignment from memory: Zabaykalsk branch and Trans-Siberian", [
 "RUVVO-ZBK",
 p("ru_borzya", 50.39, 116.52, "Borzya"),
 p("ru_olovyannaya", 50.95, 115.57, "Olovyannaya"),
 p("ru_karymskaya", 51.62, 114.35, "Karymskaya (junction with the Trans-Siberian)"),
 p("ru_chita", 52.03, 113.50, "Chita"),
 p("ru_mogzon", 51.74, 111.96, "Mogzon"),
 p("ru_khilok", 51.35, 110.45, "Khilok"),
 p("ru_petrovsk", 51.27, 108.84, "Petrovsk-Zabaykalsky"),
 p("ru_zaigraevo", 51.85, 108.27, "Zaigraevo"),
 "ru_ulanude",
])
line("Beijing - Shanhaiguan - Shenyang - Harbin", "approximate alignment from memory: Jingshan and Jingha railways", [
 "cn_beijing_ft",
 p("cn_langfang", 39.52, 116.70, "Langfang"),
 p("cn_tianjin", 39.14, 117.20, "Tianjin"),
 p("cn_tangshan", 39.63, 118.18, "Tangshan"),
 p("cn_changli", 39.70, 119.16, "Changli"),
 p("cn_shanhaiguan", 40.00, 119.75, "Shanhaiguan"),
 p("cn_xingcheng", 40.60, 120.72, "Xingcheng"),
 p("cn_jinzhou", 41.11, 121.13, "Jinzhou"),
 p("cn_goubangzi", 41.38, 121.80, "Goubangzi"),
 p("cn_xinmin", 41.99, 122.82, "Xinmin"),
 p("cn_shenyang", 41.80, 123.43, "Shenyang"),
 p("cn_tieling", 42.29, 123.84, "Tieling"),
 p("cn_siping", 43.17, 124.35, "Siping"),
 p("cn_changchun", 43.90, 125.32, "Changchun"),
 p("cn_dehui", 44.53, 125.70, "Dehui"),
 p("cn_harbin", 45.76, 126.63, "Harbin"),
])
line("Harbin - Manzhouli railway (Binzhou)", "approximate alignment from memory", [
 "cn_harbin",
 p("cn_zhaodong", 46.07, 125.98, "Zhaodong"),
 p("cn_daqing", 46.60, 125.00, "Daqing"),
 p("cn_angangxi", 47.16, 123.80, "Angangxi (Qiqihar)"),
 p("cn_zhalantun", 48.00, 122.73, "Zhalantun"),
 p("cn_bugt", 48.78, 121.92, "Bugt (Greater Khingan pass)"),
 p("cn_yakeshi", 49.29, 120.73, "Yakeshi"),
 p("cn_hailar", 49.21, 119.74, "Hailar"),
 p("cn_hulun", 49.35, 118.70, "Binzhou railway, Hulunbuir grassland"),
 p("cn_zhalainuoer", 49.46, 117.72, "Zhalainuoer"),
 "CNHRB-MZL", "RUVVO-ZBK",
])
line("Longhai railway Zhengzhou - Lanzhou", "approximate alignment from memory: stations along the Longhai railway", [
 "cn_zhengzhou",
 p("cn_xingyang", 34.79, 113.38, "Xingyang"),
 p("cn_gongyi", 34.75, 112.98, "Gongyi"),
 p("cn_luoyang", 34.68, 112.44, "Luoyang"),
 p("cn_mianchi", 34.77, 111.76, "Mianchi"),
 p("cn_sanmenxia", 34.78, 111.20, "Sanmenxia"),
 p("cn_lingbao", 34.52, 110.89, "Lingbao"),
 p("cn_huayin", 34.57, 110.08, "Huayin"),
 p("cn_weinan", 34.50, 109.50, "Weinan"),
 p("cn_xian", 34.38, 109.07, "Xi'an (Xinzhu, Xi'an International Port)"),
 p("cn_xianyang", 34.33, 108.70, "Xianyang"),
 p("cn_wugong", 34.26, 108.20, "Wugong"),
 p("cn_baoji", 34.36, 107.16, "Baoji"),
 p("cn_wei_gorge", 34.45, 106.60, "Longhai railway, Wei River gorge"),
 p("cn_tianshui", 34.57, 105.90, "Tianshui"),
 p("cn_gangu", 34.74, 105.33, "Gangu"),
 p("cn_wushan", 34.72, 104.89, "Wushan"),
 p("cn_longxi", 35.00, 104.64, "Longxi"),
 p("cn_dingxi", 35.58, 104.62, "Dingxi"),
 p("cn_lanzhou", 36.06, 103.80, "Lanzhou"),
])
line("Lanzhou-Xinjiang railway (Lanxin)", "approximate alignment from memory: stations along the Lanxin railway", [
 "cn_lanzhou",
 p("cn_hekou_gs", 36.23, 103.55, "Hekou (Lanzhou)"),
 p("cn_yongdeng", 36.74, 103.26, "Yongdeng"),
 p("cn_wushaoling", 37.20, 102.87, "Wushaoling pass"),
 p("cn_gulang", 37.47, 102.90, "Gulang"),
 p("cn_wuwei", 37.93, 102.64, "Wuwei"),
 p("cn_yongchang", 38.25, 101.96, "Yongchang (Hexi corridor)"),
 p("cn_shandan", 38.78, 101.09, "Shandan"),
 p("cn_zhangye", 38.93, 100.45, "Zhangye"),
 p("cn_gaotai", 39.37, 99.82, "Gaotai"),
 p("cn_jiuquan", 39.74, 98.50, "Jiuquan"),
 p("cn_jiayuguan", 39.80, 98.29, "Jiayuguan"),
 p("cn_yumen", 40.28, 97.20, "Yumen East"),
 p("cn_guazhou", 40.55, 95.85, "Guazhou (Liugou)"),
 p("cn_liuyuan", 41.12, 95.38, "Liuyuan"),
 p("cn_xingxingxia", 41.80, 95.10, "Xingxingxia (Gansu-Xinjiang border)"),
 p("cn_yamansu", 42.15, 94.20, "Lanxin railway, Yamansu area"),
 p("cn_hami", 42.82, 93.51, "Hami"),
 p("cn_liaodun", 43.00, 92.10, "Liaodun"),
 p("cn_shanshan", 42.88, 90.23, "Shanshan"),
 p("cn_turpan", 42.95, 89.19, "Turpan North"),
 p("cn_dabancheng", 43.35, 88.32, "Dabancheng"),
 p("cn_urumqi", 43.85, 87.52, "Urumqi West (Urumqi international land port)"),
 p("cn_changji", 44.02, 87.27, "Changji"),
 p("cn_hutubi", 44.18, 86.90, "Hutubi"),
 p("cn_shihezi", 44.30, 86.05, "Shihezi"),
 p("cn_kuytun", 44.43, 84.91, "Kuytun"),
 p("cn_wusu", 44.42, 84.68, "Wusu"),
 p("cn_jinghe", 44.60, 82.90, "Jinghe"),
 p("cn_ebinur_w", 44.90, 82.60, "Northern Xinjiang railway west of Ebinur Lake"),
 "CNURC-AKS", "KZALA-DOS",
])
line("Jinghe-Yining-Khorgos railway", "approximate alignment from memory", [
 "cn_jinghe",
 p("cn_jyh_1", 44.55, 82.20, "Jinghe-Yining-Khorgos railway, Bortala valley"),
 p("cn_sayram", 44.55, 81.45, "Sayram Lake"),
 p("cn_guozigou", 44.30, 81.05, "Guozigou"),
 p("cn_qingshuihe", 44.05, 80.80, "Qingshuihe"),
 "CNURC-KHG", "KZALA-ALT",
])
line("Altynkol - Zhetygen - Almaty", "approximate alignment from memory", [
 "KZALA-ALT",
 p("kz_zharkent_s", 44.05, 79.90, "Altynkol-Zhetygen railway near Zharkent"),
 p("kz_shonzhy", 43.60, 78.90, "Altynkol-Zhetygen railway, Shonzhy area"),
 p("kz_ily", 43.60, 77.90, "Altynkol-Zhetygen railway, Ili valley"),
 p("kz_zhetygen", 43.65, 77.10, "Zhetygen (junction with the Turksib)"),
 p("kz_almaty", 43.34, 76.95, "Almaty-1"),
])
line("Turkestan-Siberia railway (Turksib) Almaty - Aktogay", "approximate alignment from memory", [
 "kz_zhetygen",
 p("kz_saryozek", 44.36, 77.97, "Sary-Ozek"),
 p("kz_ushtobe", 45.25, 77.98, "Ushtobe"),
 p("kz_matai", 45.90, 78.72, "Matai"),
 p("kz_aktogay", 46.95, 79.66, "Aktogay"),
])
line("Dostyk - Aktogay railway", "approximate alignment from memory: along Lake Alakol", [
 "KZALA-DOS",
 p("kz_zhalanashkol", 45.55, 82.10, "Zhalanashkol (Dzungarian Gate)"),
 p("kz_koktuma", 45.95, 81.35, "Koktuma (Lake Alakol)"),
 p("kz_usharal", 46.20, 80.85, "Usharal"),
 p("kz_dostyk_akt", 46.60, 80.25, "Dostyk-Aktogay railway"),
 "kz_aktogay",
])
line("Aktogay - Moyynty - Karaganda - Astana - Petropavlovsk", "approximate alignment from memory", [
 "kz_aktogay",
 p("kz_sayak", 46.97, 77.36, "Sayak"),
 p("kz_balkhash", 46.90, 75.50, "Aktogay-Moyynty railway north of Lake Balkhash"),
 p("kz_moyynty", 47.22, 73.37, "Moyynty"),
 p("kz_agadyr", 48.26, 72.86, "Agadyr"),
 p("kz_karaganda", 49.80, 73.10, "Karaganda"),
 p("kz_osakarovka", 50.56, 72.57, "Osakarovka"),
 p("kz_astana", 51.17, 71.43, "Astana"),
 p("kz_shortandy", 51.70, 71.00, "Shortandy"),
 p("kz_makinsk", 52.63, 70.42, "Makinsk"),
 p("kz_kokshetau", 53.28, 69.39, "Kokshetau"),
 p("kz_petropavlovsk", 54.87, 69.15, "Petropavlovsk"),
])
line("Petropavlovsk - Kurgan - Yekaterinburg", "approximate alignment from memory", [
 "kz_petropavlovsk",
 p("ru_petukhovo", 55.07, 67.90, "Petukhovo (Kazakhstan-Russia border)"),
 p("ru_makushino", 55.21, 67.24, "Makushino"),
 p("ru_kurgan", 55.45, 65.33, "Kurgan"),
 p("ru_shadrinsk", 56.08, 63.63, "Shadrinsk"),
 p("ru_kamensk", 56.41, 61.93, "Kamensk-Uralsky"),
 "ru_yekaterinburg",
])
line("Turksib Almaty - Shymkent - Tashkent", "approximate alignment from memory", [
 "kz_almaty",
 p("kz_otar", 43.54, 75.20, "Otar"),
 p("kz_shu", 43.60, 73.76, "Shu"),
 p("kz_merke", 42.87, 73.18, "Merke"),
 p("kz_taraz", 42.90, 71.37, "Taraz"),
 p("kz_tulkubas", 42.50, 70.30, "Tulkubas"),
 p("kz_shymkent", 42.32, 69.60, "Shymkent"),
 p("kz_darbaza", 41.93, 69.16, "Darbaza"),
 p("kz_saryagash", 41.46, 69.17, "Saryagash (Kazakhstan-Uzbekistan border)"),
 "UZTAS",
])
line("Shu - Moyynty railway", "approximate alignment from memory", [
 "kz_shu",
 p("kz_shu_moy_1", 44.80, 73.60, "Shu-Moyynty railway"),
 p("kz_shu_moy_2", 46.00, 73.50, "Shu-Moyynty railway"),
 "kz_moyynty",
])
line("Moscow - Smolensk - Minsk - Brest", "approximate alignment from memory: Moscow-Brest main line", [
 "RUMOW",
 p("ru_kubinka", 55.58, 36.70, "Kubinka"),
 p("ru_mozhaysk", 55.50, 36.03, "Mozhaysk"),
 p("ru_gagarin", 55.55, 35.00, "Gagarin"),
 p("ru_vyazma", 55.21, 34.29, "Vyazma"),
 p("ru_safonovo", 55.11, 33.24, "Safonovo"),
 p("ru_smolensk", 54.78, 32.05, "Smolensk"),
 p("ru_krasnoye", 54.56, 31.45, "Krasnoye (Russia-Belarus border)"),
 p("by_orsha", 54.51, 30.42, "Orsha"),
 p("by_tolochin", 54.41, 29.70, "Tolochin"),
 p("by_borisov", 54.23, 28.50, "Barysaw (Borisov)"),
 p("by_minsk", 53.89, 27.55, "Minsk"),
 p("by_stolbtsy", 53.48, 26.74, "Stowbtsy"),
 p("by_baranovichi", 53.13, 26.01, "Baranavichy"),
 p("by_ivatsevichi", 52.71, 25.34, "Ivatsevichy"),
 p("by_byaroza", 52.53, 24.98, "Byaroza"),
 p("by_zhabinka", 52.20, 24.02, "Zhabinka"),
 "BYMSQ-BRS", "PLWAW-MLS",
])
line("Malaszewicze - Warsaw - Poznan - Frankfurt (Oder)", "approximate alignment from memory: E20 corridor", [
 "PLWAW-MLS",
 p("pl_biala_podlaska", 52.03, 23.12, "Biala Podlaska"),
 p("pl_lukow", 51.93, 22.38, "Lukow"),
 p("pl_siedlce", 52.17, 22.28, "Siedlce"),
 p("pl_minsk_maz", 52.18, 21.56, "Minsk Mazowiecki"),
 p("pl_warsaw", 52.23, 21.00, "Warsaw"),
 p("pl_sochaczew", 52.23, 20.24, "Sochaczew"),
 p("pl_kutno", 52.23, 19.36, "Kutno"),
 p("pl_konin", 52.22, 18.25, "Konin"),
 p("pl_wrzesnia", 52.32, 17.57, "Wrzesnia"),
 p("pl_poznan", 52.40, 16.93, "Poznan"),
 p("pl_zbaszynek", 52.24, 15.82, "Zbaszynek"),
 p("pl_rzepin", 52.35, 14.83, "Rzepin"),
 p("de_frankfurt_oder", 52.34, 14.55, "Frankfurt (Oder)"),
 p("de_berlin", 52.50, 13.47, "Berlin (Ostkreuz)"),
])
line("Warsaw - Lodz", "approximate alignment from memory", [
 "pl_warsaw",
 p("pl_skierniewice", 51.96, 20.16, "Skierniewice"),
 p("pl_koluszki", 51.74, 19.81, "Koluszki"),
 "PLWAW-LDZ",
 p("pl_lodz_kutno", 52.00, 19.45, "Lodz-Kutno railway (Zgierz/Leczyca area)"),
 "pl_kutno",
])
line("Berlin - Magdeburg - Hannover - Ruhr - Duisburg", "approximate alignment from memory", [
 "de_berlin",
 p("de_potsdam", 52.39, 13.07, "Potsdam"),
 p("de_brandenburg", 52.41, 12.55, "Brandenburg an der Havel"),
 p("de_magdeburg", 52.13, 11.63, "Magdeburg"),
 p("de_helmstedt", 52.22, 11.00, "Helmstedt"),
 p("de_braunschweig", 52.25, 10.54, "Braunschweig"),
 p("de_lehrte", 52.37, 9.98, "Lehrte (Hannover)"),
 p("de_hannover", 52.38, 9.74, "Hannover"),
 p("de_minden", 52.29, 8.93, "Minden"),
 p("de_bielefeld", 52.03, 8.53, "Bielefeld"),
 p("de_guetersloh", 51.91, 8.39, "Guetersloh"),
 p("de_hamm", 51.68, 7.81, "Hamm"),
 p("de_dortmund", 51.52, 7.46, "Dortmund"),
 p("de_bochum", 51.48, 7.22, "Bochum"),
 p("de_essen", 51.45, 7.01, "Essen"),
 p("de_duisburg", 51.43, 6.78, "Duisburg Hbf"),
 "DEDUI",
])
line("Berlin - Hamburg", "approximate alignment from memory", [
 "de_berlin",
 p("de_spandau", 52.53, 13.20, "Berlin-Spandau"),
 p("de_nauen", 52.60, 12.88, "Nauen"),
 p("de_neustadt_dosse", 52.85, 12.45, "Neustadt (Dosse)"),
 p("de_wittenberge", 53.00, 11.75, "Wittenberge"),
 p("de_ludwigslust", 53.33, 11.50, "Ludwigslust"),
 p("de_hagenow", 53.43, 11.19, "Hagenow Land"),
 p("de_buechen", 53.48, 10.62, "Buechen"),
 p("de_bergedorf", 53.49, 10.21, "Hamburg-Bergedorf"),
 "DEHAM-BIL",
])
line("Hannover - Uelzen - Hamburg", "approximate alignment from memory", [
 "de_lehrte",
 p("de_celle", 52.62, 10.06, "Celle"),
 p("de_uelzen", 52.97, 10.56, "Uelzen"),
 p("de_lueneburg", 53.25, 10.42, "Lueneburg"),
 p("de_maschen", 53.40, 10.05, "Maschen marshalling yard"),
 "DEHAM-BIL",
])
line("Warsaw - Katowice - Zilina - Budapest", "approximate alignment from memory: Central Trunk Line, Bohumin, Vah valley, Stúrovo", [
 "pl_warsaw",
 p("pl_grodzisk", 52.11, 20.63, "Grodzisk Mazowiecki"),
 p("pl_idzikowice", 51.45, 20.33, "Idzikowice (Central Trunk Line)"),
 p("pl_wloszczowa", 50.85, 19.97, "Wloszczowa"),
 p("pl_zawiercie", 50.49, 19.42, "Zawiercie"),
 p("pl_katowice", 50.26, 19.02, "Katowice"),
 p("pl_rybnik", 50.10, 18.55, "Rybnik"),
 p("cz_bohumin", 49.90, 18.35, "Bohumin (Poland-Czechia border)"),
 p("cz_cesky_tesin", 49.75, 18.62, "Cesky Tesin"),
 p("cz_mosty", 49.53, 18.75, "Mosty u Jablunkova"),
 p("sk_cadca", 49.44, 18.79, "Cadca"),
 p("sk_zilina", 49.22, 18.74, "Zilina"),
 p("sk_puchov", 49.12, 18.33, "Puchov"),
 p("sk_trencin", 48.89, 18.04, "Trencin"),
 p("sk_piestany", 48.59, 17.83, "Piestany"),
 p("sk_leopoldov", 48.45, 17.77, "Leopoldov"),
 p("sk_galanta", 48.19, 17.73, "Galanta"),
 p("sk_nove_zamky", 47.99, 18.17, "Nove Zamky"),
 p("sk_sturovo", 47.80, 18.72, "Sturovo (Slovakia-Hungary border)"),
 p("hu_szob", 47.82, 18.87, "Szob"),
 p("hu_vac", 47.77, 19.13, "Vac"),
 p("hu_budapest", 47.56, 19.11, "Budapest (Rakospalota)"),
 "HUBUD",
])

# Published section lengths (km; public railway figures as recalled, not
# looked up) that set the factors: (from, to, km, what the figure is).
CAL = [
 ("cn_guangzhou_n", "cn_changsha", 680, "Jingguang railway Guangzhou-Changsha 707 km, less ~27 km Guangzhou station-Huadu"),
 ("cn_changsha", "cn_wuchang", 362, "Jingguang railway Changsha-Wuchang 362 km"),
 ("cn_wuchang", "cn_zhengzhou", 536, "Jingguang railway Wuchang-Zhengzhou 536 km"),
 ("cn_zhengzhou", "cn_beijing_ft", 680, "Jingguang railway Zhengzhou-Beijing 689 km, less ~9 km Beijing West-Fengtai"),
 ("cn_zhengzhou", "cn_xian", 511, "Longhai railway Zhengzhou-Xi'an 511 km"),
 ("cn_baoji", "cn_lanzhou", 503, "Longhai railway Baoji-Lanzhou 503 km (Baoji-Tianshui-Lanzhou)"),
 ("cn_lanzhou", "cn_urumqi", 1892, "Lanzhou-Xinjiang railway Lanzhou-Urumqi 1,892 km"),
 ("cn_jinghe", "CNURC-KHG", 286, "Jinghe-Yining-Khorgos railway 286 km"),
 ("cn_harbin", "CNHRB-MZL", 935, "Binzhou railway Harbin-Manzhouli 935 km"),
 ("cn_jining_nm", "CNTSN-EHT", 331, "Jining-Erenhot railway 331 km"),
 ("MNULN-ZMU", "mn_sukhbaatar", 1110, "Trans-Mongolian railway in Mongolia (Zamyn-Uud - Sukhbaatar) 1,110 km"),
 ("ru_naushki", "ru_ulanude", 250, "Naushki-Ulan-Ude about 250 km"),
 ("ru_ulanude", "ru_irkutsk", 457, "Trans-Siberian km 5,642 (Ulan-Ude) - km 5,185 (Irkutsk)"),
 ("ru_irkutsk", "ru_krasnoyarsk", 1087, "Trans-Siberian km 5,185 (Irkutsk) - km 4,098 (Krasnoyarsk)"),
 ("ru_krasnoyarsk", "ru_novosibirsk", 763, "Trans-Siberian km 4,098 (Krasnoyarsk) - km 3,335 (Novosibirsk)"),
 ("ru_novosibirsk", "ru_omsk", 623, "Trans-Siberian km 3,335 (Novosibirsk) - km 2,712 (Omsk)"),
 ("ru_omsk", "ru_yekaterinburg", 896, "Trans-Siberian km 2,712 (Omsk) - km 1,816 (Yekaterinburg)"),
 ("ru_yekaterinburg", "RUMOW", 1816, "Trans-Siberian km 1,816 (Yekaterinburg) - km 0 (Moscow Yaroslavsky)"),
 ("ru_ulanude", "ru_chita", 557, "Trans-Siberian km 5,642 (Ulan-Ude) - km 6,199 (Chita)"),
 ("RUVVO-ZBK", "ru_karymskaya", 385, "Zabaykalsk-Tarskaya about 366 km + Tarskaya-Karymskaya 19 km"),
 ("pl_warsaw", "pl_poznan", 304, "E20 Warsaw-Poznan 304 km"),
 ("pl_poznan", "de_berlin", 260, "Poznan-Frankfurt (Oder)-Berlin about 260 km"),
 ("de_berlin", "DEHAM-BIL", 283, "Berlin-Hamburg 286 km, Billwerder a few km short of Hamburg Hbf"),
 ("de_berlin", "DEDUI", 545, "Berlin-Magdeburg-Hannover-Hamm-Duisburg about 545 km"),
]
CAL += [
 ("RUMOW", "BYMSQ-BRS", 1100, "Moscow (Belorussky)-Smolensk 419 km, Moscow-Brest about 1,100 km"),
 ("KZALA-DOS", "kz_moyynty", 836, "Dostyk-Moyynty 836 km (length of the Dostyk-Moyynty second-track project)"),
 ("KZALA-ALT", "kz_zhetygen", 293, "Zhetygen-Altynkol railway 293 km"),
 ("kz_petropavlovsk", "ru_kurgan", 275, "Petropavlovsk-Kurgan about 275 km"),
]


# ---------------------------------------------------------------- build
nodes = {}
for r in csv.DictReader(open(os.path.join(HERE, '..', 'nodes.csv'), encoding='utf-8')):
    nodes[r['code']] = (float(r['lat']), float(r['lon']))
def pos(s): return P[s][:2] if s in P else nodes[s]

# Edges: consecutive stops of every line, each once.
E = []; seen = set(); adj = {}
for name, src, stops in LINES:
    for u, v in zip(stops, stops[1:]):
        k = frozenset((u, v))
        if k in seen: continue
        seen.add(k)
        d = c.vincenty_km(*pos(u), *pos(v))
        E.append([u, v, name, d])
        adj.setdefault(u, []).append((v, d)); adj.setdefault(v, []).append((u, d))
# Factors: one per CAL section, = published length / geodesic length of the
# section's edges (its shortest station path), rounded to 4 decimals.
factor = {}
for a, b, tgt, note in CAL:
    geo, span = c.dijkstra(adj, a, b)
    if not span: sys.exit(f'no path {a} {b}')
    f = round(tgt / geo, 4)
    if not 1.0 <= f <= 3.0: sys.exit(f'{a}-{b}: factor {f} outside 1..3 ({geo:.0f} km of chords)')
    for u, v in zip(span, span[1:]):
        k = frozenset((u, v))
        if k in factor: sys.exit(f'edge {u}-{v} is in two CAL sections')
        factor[k] = (f, f'sinuosity: {note} (published figure as recalled)')
    print(f'{a} - {b}: {len(span) - 1} edges, {geo:.0f} km of chords, published {tgt} km, '
          f'factor {f:.4f}', file=sys.stderr)
rows = []; srcs = {}
for name, src, stops in LINES:
    for s in stops:
        if s in P and s not in srcs: srcs[s] = src
for i, (la, lo, nm) in P.items():
    if len(i) > 47 or not all(ch.islower() or ch.isdigit() or ch == '_' for ch in i):
        sys.exit(f'bad point id {i!r}')
    rows.append([i, '%.3f' % la, '%.3f' % lo, nm, srcs[i]])
out = []
for u, v, name, d in E:
    f, note = factor.get(frozenset((u, v)), (None, name))
    out.append([u, v, '%.4f' % f if f else '', note])
f = io.StringIO(); w = csv.writer(f, lineterminator='\n'); w.writerow(['id', 'lat', 'lon', 'name', 'source']); w.writerows(rows)
open(os.path.join(HERE, 'rail_points.csv'), 'w').write(f.getvalue())
f = io.StringIO(); w = csv.writer(f, lineterminator='\n'); w.writerow(['a', 'b', 'factor', 'note']); w.writerows(out)
open(os.path.join(HERE, 'rail_edges.csv'), 'w').write(f.getvalue())

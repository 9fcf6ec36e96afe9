/* map.js -- a small world map in SVG: Natural Earth land (world-atlas,
 * TopoJSON, served by bin/dongting from /vendor/) in an Equal Earth
 * projection (d3-geo), with routes (GeoJSON LineStrings, coloured by
 * mode), places and a marker for where the cargo is.  No tiles, no
 * network access beyond the server itself.
 *
 *   var m = DT.map(document.getElementById('map'));
 *   m.route(lineString, 'river');    // one leg
 *   m.place(lon, lat, 'CNCLJ');       // a stop
 *   m.marker(lon, lat, 'here');       // the current position (one)
 *   m.fit();                          // zoom to what is drawn
 *   m.clear();
 *
 * Without the vendor files (npm ci not run) it draws routes over a plain
 * graticule and says so in its title. */
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var landPromise = null;

  function loadLand() {
    if (!landPromise) {
      landPromise = fetch('/vendor/land-110m.json', {cache: 'force-cache'})
        .then(function (r) { if (!r.ok) throw new Error('no basemap'); return r.json(); })
        .then(function (topo) { return topojson.feature(topo, topo.objects.land); })
        .catch(function () { return null; });
    }
    return landPromise;
  }

  function svgEl(tag, attrs) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (a) { e.setAttribute(a, attrs[a]); });
    return e;
  }

  DT.map = function (container) {
    var width = 960, height = 500;
    var svg = svgEl('svg', {viewBox: '0 0 ' + width + ' ' + height, class: 'dt-map',
                            role: 'img', 'aria-label': 'map'});
    var gLand = svgEl('g', {class: 'land'}), gGrat = svgEl('g', {class: 'graticule'});
    var gRoutes = svgEl('g', {class: 'routes'}), gPlaces = svgEl('g', {class: 'places'});
    var gMarker = svgEl('g', {class: 'marker'});
    [gGrat, gLand, gRoutes, gPlaces, gMarker].forEach(function (g) { svg.appendChild(g); });
    container.textContent = '';
    container.appendChild(svg);

    var hasD3 = typeof d3 !== 'undefined' && d3.geoEqualEarth;
    var projection = hasD3 ? d3.geoEqualEarth().fitSize([width, height], {type: 'Sphere'}) : null;
    var path = hasD3 ? d3.geoPath(projection) : null;
    var routes = [], places = [], marker = null, land = null;

    function project(lon, lat) {
      if (projection) return projection([lon, lat]);
      return [(lon + 180) / 360 * width, (90 - lat) / 180 * height];
    }

    function draw() {
      [gGrat, gLand, gRoutes, gPlaces, gMarker].forEach(function (g) { g.textContent = ''; });
      if (path) {
        gGrat.appendChild(svgEl('path', {d: path(d3.geoGraticule10()), class: 'grat'}));
        gGrat.appendChild(svgEl('path', {d: path({type: 'Sphere'}), class: 'sphere'}));
        if (land) gLand.appendChild(svgEl('path', {d: path(land), class: 'land'}));
      }
      routes.forEach(function (r) {
        var d = path ? path(r.geom) : r.geom.coordinates.map(function (c, i) {
          var p = project(c[0], c[1]);
          return (i ? 'L' : 'M') + p[0].toFixed(1) + ',' + p[1].toFixed(1);
        }).join('');
        if (d) gRoutes.appendChild(svgEl('path', {d: d, class: 'route mode-' + r.mode}));
      });
      places.forEach(function (p) {
        var xy = project(p.lon, p.lat);
        if (!xy) return;
        var g = svgEl('g', {class: 'place', transform: 'translate(' + xy[0].toFixed(1) + ',' +
                                                       xy[1].toFixed(1) + ')'});
        g.appendChild(svgEl('circle', {r: 3}));
        /* near the right edge the label goes to the left of its point */
        var left = xy[0] > width - 140;
        var tx = svgEl('text', left ? {x: -5, y: -5, 'text-anchor': 'end'} : {x: 5, y: -5});
        tx.textContent = p.label;
        g.appendChild(tx);
        gPlaces.appendChild(g);
      });
      if (marker) {
        var xy = project(marker.lon, marker.lat);
        if (xy) {
          var g = svgEl('g', {class: 'here', id: 'dt-map-marker',
                              transform: 'translate(' + xy[0].toFixed(1) + ',' + xy[1].toFixed(1) + ')'});
          g.appendChild(svgEl('circle', {r: 7}));
          var tx = svgEl('text', xy[0] > width - 140 ? {x: -10, y: 4, 'text-anchor': 'end'}
                                                     : {x: 10, y: 4});
          tx.textContent = marker.label || '';
          g.appendChild(tx);
          gMarker.appendChild(g);
        }
      }
    }

    loadLand().then(function (l) {
      land = l;
      if (!l) svg.setAttribute('data-basemap', 'missing');
      else svg.setAttribute('data-basemap', 'loaded');
      draw();
    });

    var api = {
      route: function (geom, mode) {
        if (geom && geom.type === 'LineString' && geom.coordinates.length > 1)
          routes.push({geom: geom, mode: mode || 'other'});
        draw();
        return api;
      },
      place: function (lon, lat, label) {
        places.push({lon: lon, lat: lat, label: label || ''});
        draw();
        return api;
      },
      marker: function (lon, lat, label) {
        marker = lon == null ? null : {lon: lon, lat: lat, label: label};
        draw();
        return api;
      },
      fit: function () {
        if (!hasD3) return api;
        var feats = routes.map(function (r) { return {type: 'Feature', geometry: r.geom}; });
        places.forEach(function (p) {
          feats.push({type: 'Feature', geometry: {type: 'Point', coordinates: [p.lon, p.lat]}});
        });
        if (marker) feats.push({type: 'Feature',
                                geometry: {type: 'Point', coordinates: [marker.lon, marker.lat]}});
        if (!feats.length) return api;
        var fc = {type: 'FeatureCollection', features: feats};
        var b = d3.geoBounds(fc);
        var span = Math.max(Math.abs(b[1][0] - b[0][0]), Math.abs(b[1][1] - b[0][1]));
        if (span < 20) {
          /* a short route: pad it so the coast around it shows */
          var c = d3.geoCentroid(fc);
          fc.features.push({type: 'Feature', geometry: {type: 'MultiPoint',
            coordinates: [[c[0] - 10, c[1] - 6], [c[0] + 10, c[1] + 6]]}});
        }
        projection.fitExtent([[20, 20], [width - 20, height - 20]], fc);
        draw();
        return api;
      },
      clear: function () {
        routes = []; places = []; marker = null;
        if (hasD3) projection.fitSize([width, height], {type: 'Sphere'});
        draw();
        return api;
      },
      count: function () { return {routes: routes.length, places: places.length, marker: !!marker}; }
    };
    return api;
  };
})();

"""The explorer's front end (`explorer.js`, `explorer.css`, `page.html`, shipped as package data) and its two hosts:
the self-contained HTML page (`dvats.views.page`) and the Jupyter widget (`dvats.views.explorer`); and the page that compares
two runs side by side (`dvats.views.compare`, with `compare.js` and `compare.html`), which imports the explorer's helpers."""

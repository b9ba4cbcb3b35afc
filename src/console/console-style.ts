/** The admin console's stylesheet, served as /console/console.css (the CSP allows no inline style). */
export const CONSOLE_STYLE = `
:root{color-scheme:light;--ink:#1f2328;--muted:#59636e;--line:#d0d7de;--soft:#f6f8fa;--accent:#0969da;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:var(--ink);background:#fff}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:2}
.skip:focus{left:.5rem}
.top{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.75rem 1.25rem;border-bottom:1px solid var(--line);background:var(--soft)}
h1{font-size:1.25rem;margin:0}
.muted{color:var(--muted);font-weight:400}
.identity{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
main{max-width:1100px;margin:0 auto;padding:1rem 1.25rem 3rem}
main:focus{outline:none}
h2{font-size:1.15rem;border-bottom:1px solid var(--line);padding-bottom:.3rem;margin:2rem 0 .75rem}
h2:focus{outline:none}
h2:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--soft);padding:.1em .3em;border-radius:4px;overflow-wrap:anywhere}
a{color:var(--accent)}
button,input,select,textarea{font:inherit;color:inherit}
button{cursor:pointer;background:#fff;border:1px solid #8c959f;border-radius:6px;padding:.4rem .9rem;min-height:2.5rem}
button:hover{background:var(--soft)}
button:disabled{opacity:.55;cursor:progress}
button.approve{background:var(--ok);border-color:var(--ok);color:#fff}
button.deny,button.revoke,button.danger{border-color:var(--bad);color:var(--bad)}
button.danger{background:var(--bad);color:#fff}
input,select,textarea{border:1px solid #8c959f;border-radius:6px;padding:.4rem .6rem;min-height:2.5rem;background:#fff;max-width:100%}
textarea{width:100%;resize:vertical}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
label{display:block;font-weight:600;margin-bottom:.25rem}
.row{display:flex;flex-wrap:wrap;gap:.5rem}
.row input{flex:1 1 16rem}
.help{color:var(--muted);margin:.5rem 0}
.status{min-height:1.5em;margin:.25rem 0;color:var(--ok)}
.problem{margin:.25rem 0;padding:.5rem .75rem;border:1px solid var(--bad);border-radius:6px;color:var(--bad);background:#fff5f5}
.sections{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0;margin:0}
.count{display:inline-block;min-width:1.6em;text-align:center;border-radius:1em;background:var(--warn);color:#fff;font-size:.85rem;padding:0 .4em;vertical-align:middle}
.cards{list-style:none;padding:0;margin:0;display:grid;gap:.75rem;grid-template-columns:repeat(auto-fill,minmax(min(100%,20rem),1fr))}
.card{border:1px solid var(--line);border-left:4px solid var(--warn);border-radius:6px;padding:.75rem 1rem}
.card h3{margin:0 0 .5rem;font-size:1.05rem;overflow-wrap:anywhere}
.card dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .75rem;margin:0 0 .75rem}
.card dt{color:var(--muted)}
.card dd{margin:0;overflow-wrap:anywhere}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;justify-content:flex-end}
.empty{color:var(--muted);font-style:italic}
.search{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end}
.search .field{flex:1 1 14rem}
.search input{width:100%}
.table-scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border-bottom:1px solid var(--line);padding:.4rem .5rem;text-align:left;vertical-align:top}
th{background:var(--soft);white-space:nowrap}
.serial{font-size:12px}
.badge{display:inline-block;border-radius:1em;padding:0 .6em;font-size:.85rem;border:1px solid currentColor;white-space:nowrap}
.badge.valid,.badge.approved,.badge.issued{color:var(--ok)}
.badge.revoked,.badge.denied,.badge.expired{color:var(--bad)}
.badge.pending,.badge.submitted{color:var(--warn)}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.chart-scroll{overflow-x:auto}
.expiry-chart{display:block;width:100%;min-width:600px;height:auto}
.expiry-chart .bar{fill:var(--accent)}
.expiry-chart .bar:hover{fill:#0550ae}
.expiry-chart .grid{stroke:#eaeef2}
.expiry-chart .axis{stroke:var(--muted)}
.expiry-chart text{font-size:12px;fill:var(--muted)}
details{margin:.5rem 0}
summary{cursor:pointer;color:var(--accent)}
dialog{border:1px solid var(--line);border-radius:8px;padding:1rem 1.25rem;width:min(32rem,calc(100vw - 2rem))}
dialog::backdrop{background:rgba(31,35,40,.45)}
dialog h2{margin-top:0}
.subject{overflow-wrap:anywhere}
dialog .actions{margin-top:1rem}
@media (max-width:640px){
  main{padding:.75rem .75rem 2rem}
  .top{padding:.75rem}
  .table-scroll{overflow-x:visible}
  table,thead,tbody,tr,td{display:block;width:100%}
  thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
  tr{border:1px solid var(--line);border-radius:6px;margin:.5rem 0;padding:.25rem .5rem}
  td{border:0;padding:.2rem 0;display:grid;grid-template-columns:8.5rem 1fr;gap:.5rem;overflow-wrap:anywhere}
  td::before{content:attr(data-label);color:var(--muted)}
  td:empty{display:none}
  td .badge{justify-self:start}
  .expiry-chart{min-width:720px}
}
`;

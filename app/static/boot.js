// Loads the wasm app. A separate file (not an inline script) so that a strict
// Content-Security-Policy (script-src 'self' 'wasm-unsafe-eval') can be used.
import init from '/pkg/app.js';

init({ module_or_path: '/pkg/app_bg.wasm' }).catch((err) => {
  console.error(err);
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.textContent = '页面加载失败，请刷新重试。/ The page failed to load; please reload.';
  document.body.append(p);
});

// Keep the page available offline once opened (see sw.js). Browsers allow service
// workers only on https and localhost; elsewhere the page still works while open.
if ('serviceWorker' in navigator) {
  // The first visit loads the campaign before the worker controls the page; fetch it
  // once more through the worker so that it is cached too.
  const warm = () => {
    const code = location.pathname.match(/^\/c\/([^/]+)/);
    if (code) fetch('/api/v1/campaigns/' + code[1]).catch(() => {});
  };
  navigator.serviceWorker.addEventListener('controllerchange', warm);
  navigator.serviceWorker.register('/sw.js').catch((err) => console.warn('offline cache unavailable', err));
}

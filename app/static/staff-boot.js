// Loads the staff app. A separate file (not an inline script) so that the strict
// Content-Security-Policy (script-src 'self' 'wasm-unsafe-eval') holds here too.
// No service worker: staff pages show live data and must not open from a cache.
import init from '/pkg/staff.js';

init({ module_or_path: '/pkg/staff_bg.wasm' }).catch((err) => {
  console.error(err);
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.textContent = '页面加载失败，请刷新重试。/ The page failed to load; please reload.';
  document.body.append(p);
});

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

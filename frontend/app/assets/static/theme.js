// On every page (deferred: styles/app.css alone follows the system's
// theme): the one the user chose with a .theme-toggle button, remembered in
// localStorage, else the system's, written as data-theme on <html>.
(() => {
  const root = document.documentElement;
  const system = matchMedia('(prefers-color-scheme: dark)');
  let chosen = null;
  try {
    chosen = localStorage.getItem('theme');
  } catch {
    // Storage disabled: follow the system, and a choice lasts for this page.
  }
  const apply = () => {
    const theme = chosen || (system.matches ? 'dark' : 'light');
    root.dataset.theme = theme;
    for (const button of document.querySelectorAll('.theme-toggle')) {
      button.setAttribute('aria-pressed', String(theme === 'dark'));
    }
  };
  apply();
  system.addEventListener('change', apply);
  document.addEventListener('DOMContentLoaded', apply);
  // Delegated: the app renders its header after this script has run
  // (views/site-view.js sets the button's aria-pressed itself).
  document.addEventListener('click', event => {
    if (!event.target.closest('.theme-toggle')) return;
    chosen = root.dataset.theme === 'dark' ? 'light' : 'dark';
    try {
      localStorage.setItem('theme', chosen);
    } catch {
      // Not remembered, still applied.
    }
    apply();
  });
})();

// Feedback on a new password as it is typed, beside each field marked
// data-strength (the account's email, or empty where the form has an email
// field): zxcvbn's verdict from POST /password/strength, the same the form
// gives when it is sent. A plain script for the server-rendered pages, copied
// as it is by Brunch; without it (or JavaScript), the form still checks.
(() => {
  'use strict';
  const DELAY_MS = 300;

  const setUp = input => {
    const form = input.form;
    const help = document.getElementById(`${input.id}-help`);
    if (!form || !help) {
      return;
    }
    const verdict = document.createElement('p');
    verdict.className = 'field-strength';
    verdict.setAttribute('aria-live', 'polite');
    help.append(verdict);
    input.setAttribute('aria-describedby', help.id);
    let timer = null;
    let latest = 0;

    const check = () => {
      const request = ++latest;
      if (!input.value) {
        verdict.textContent = '';
        return;
      }
      const emailField = form.querySelector('input[type="email"]');
      const token = form.querySelector('input[name$="csrf_token"]');
      fetch('/password/strength', {
        method: 'POST',
        credentials: 'same-origin',
        headers: {'Content-Type': 'application/json', 'X-CSRFToken': token ? token.value : ''},
        body: JSON.stringify({
          password: input.value,
          email: input.dataset.strength || (emailField ? emailField.value : ''),
        }),
      })
        .then(response => (response.ok ? response.json() : null))
        .then(result => {
          if (!result || request !== latest) {
            return; // an answer to an older value
          }
          const strong = result.problems.length === 0;
          verdict.textContent = strong ? 'Strong enough.' : result.problems.join(' ');
          verdict.classList.toggle('field-strength-ok', strong);
        })
        .catch(() => {}); // offline: the form checks when it is sent
    };

    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(check, DELAY_MS);
    });
  };

  document.querySelectorAll('input[data-strength]').forEach(setUp);
})();

// Passkeys on the server-rendered pages, with the browser's navigator.credentials:
// - [data-passkey="login"]: "Sign in with a passkey" on the login page;
// - [data-passkey="second-step"]: a passkey as the second step of a login;
// - form[data-passkey="register"]: add a passkey on the account page (the form's
//   name and password are checked by the server before the browser is asked).
// The server sends WebAuthn's options as JSON (binary fields in base64url) and
// verifies what comes back; it answers {"redirect": url} on success. A plain
// script, copied as it is by Brunch (the CSP allows scripts from this site only).
(() => {
  'use strict';

  const toBytes = base64url => {
    const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(binary, c => c.charCodeAt(0));
  };

  const toBase64url = buffer =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');

  const descriptors = list =>
    (list || []).map(item => Object.assign({}, item, {id: toBytes(item.id)}));

  const creationOptions = options =>
    Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      user: Object.assign({}, options.user, {id: toBytes(options.user.id)}),
      excludeCredentials: descriptors(options.excludeCredentials),
    });

  const requestOptions = options =>
    Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      allowCredentials: descriptors(options.allowCredentials),
    });

  const credentialJSON = credential => {
    const response = credential.response;
    const json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      response: {clientDataJSON: toBase64url(response.clientDataJSON)},
    };
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      if (response.userHandle) {
        json.response.userHandle = toBase64url(response.userHandle);
      }
    }
    return json;
  };

  const post = (url, token, body) =>
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: Object.assign(
        {'X-CSRFToken': token},
        body instanceof FormData ? {} : {'Content-Type': 'application/json'},
      ),
      body: body instanceof FormData ? body : JSON.stringify(body || {}),
    }).then(response =>
      response.json().then(
        data => ({ok: response.ok, data}),
        () => ({ok: false, data: {error: 'The server could not answer. Try again.'}}),
      ),
    );

  const showError = (message, near) => {
    const alert = (near.closest('section') || document).querySelector('.passkey-error');
    if (alert) {
      alert.textContent = message;
      alert.hidden = !message;
    }
  };

  const failed = error => {
    if (error && error.name === 'NotAllowedError') {
      return 'The passkey was not used (cancelled, or timed out).';
    }
    if (error && error.name === 'SecurityError') {
      // An IP address (http://127.0.0.1:8000) cannot be a relying party's id.
      const local = `http://localhost${window.location.port ? `:${window.location.port}` : ''}`;
      return `Passkeys do not work at this address. In development, open ${local} instead.`;
    }
    return error && error.message ? error.message : 'Something went wrong. Try again.';
  };

  const finish = result => {
    if (!result.ok) {
      throw new Error(result.data.error || 'This passkey could not be verified.');
    }
    window.location.assign(result.data.redirect);
  };

  const supported = () => Boolean(window.PublicKeyCredential && navigator.credentials);

  const setUpButton = button => {
    if (!supported()) {
      button.hidden = true;
      return;
    }
    const token = document.querySelector('input[name$="csrf_token"]').value;
    button.addEventListener('click', () => {
      showError('', button);
      button.disabled = true;
      post(button.dataset.optionsUrl, token)
        .then(result => {
          if (!result.ok) {
            throw new Error(result.data.error);
          }
          return navigator.credentials.get({publicKey: requestOptions(result.data)});
        })
        .then(credential =>
          post(
            button.dataset.verifyUrl,
            token,
            Object.assign(credentialJSON(credential), {next: button.dataset.next || ''}),
          ),
        )
        .then(finish)
        .catch(error => {
          showError(failed(error), button);
          button.disabled = false;
        });
    });
  };

  const setUpRegistration = form => {
    if (!supported()) {
      showError('This browser cannot make passkeys.', form);
      form.querySelector('button[type="submit"]').disabled = true;
      return;
    }
    form.addEventListener('submit', event => {
      event.preventDefault();
      showError('', form);
      form.querySelectorAll('.field-error').forEach(error => error.remove());
      const token = form.querySelector('input[name$="csrf_token"]').value;
      post(form.action, token, new FormData(form))
        .then(result => {
          if (!result.ok) {
            const fields = result.data.fields || {};
            Object.keys(fields).forEach(name => {
              const help = document.getElementById(`${name}-help`);
              if (help) {
                fields[name].forEach(message => {
                  const p = document.createElement('p');
                  p.className = 'field-error';
                  p.textContent = message;
                  help.prepend(p);
                });
              }
            });
            throw new Error(result.data.error);
          }
          return navigator.credentials.create({publicKey: creationOptions(result.data)});
        })
        .then(credential => post(form.dataset.verifyUrl, token, credentialJSON(credential)))
        .then(finish)
        .catch(error => showError(failed(error), form));
    });
  };

  document.querySelectorAll('button[data-passkey]').forEach(setUpButton);
  document.querySelectorAll('form[data-passkey="register"]').forEach(setUpRegistration);
})();

// A question with Cancel and a confirming button, in a modal <dialog>: the
// page behind it is inert, Tab goes round its two buttons (not out to the
// browser's own controls), Escape cancels, and
// Cancel has the focus at first, so Enter pressed by habit deletes nothing.
// ask() resolves to true when the user confirms. On close, the browser
// gives the focus back to the control that opened it.
const template = require('../templates/confirm');

function trapTab(dialog, event) {
  if (event.key !== 'Tab') return;
  const buttons = dialog.querySelectorAll('button');
  const edge = buttons[event.shiftKey ? 0 : buttons.length - 1];
  if (document.activeElement !== edge) return;
  event.preventDefault();
  buttons[event.shiftKey ? buttons.length - 1 : 0].focus();
}

exports.ask = ({title, message, confirmLabel}) =>
  new Promise(resolve => {
    const holder = document.createElement('div');
    holder.innerHTML = template({title, message, confirmLabel});
    const dialog = holder.firstElementChild;
    document.body.append(dialog);
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'confirm');
    });
    dialog.addEventListener('keydown', event => trapTab(dialog, event));
    dialog.showModal();
    dialog.querySelector('[value="cancel"]').focus();
  });

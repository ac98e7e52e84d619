// Reads a text/event-stream the way the HTML standard's EventSource does,
// chunk by chunk. The app reads the stream with fetch() rather than
// EventSource (see lib/live/connection.js), so it parses the format itself:
// the few rules below are all there is to it.

// Calls onEvent({type, data, id}) for each event, onComment() for each
// comment line (the server's keep-alives), onRetry(ms) for a `retry:` field,
// and onId(id) for a block with an id but no data, which EventSource does
// not dispatch but which moves the point to resume from (the server sends
// one at the start and with each keep-alive). `id` is the last event id
// seen so far, as EventSource keeps it.
exports.createParser = ({onEvent, onComment = () => {}, onRetry = () => {}, onId = () => {}}) => {
  let buffer = '';
  let type = '';
  let data = [];
  let sawId = false;
  let lastEventId = '';

  function dispatch() {
    if (data.length) onEvent({type: type || 'message', data: data.join('\n'), id: lastEventId});
    else if (sawId) onId(lastEventId);
    type = '';
    data = [];
    sawId = false;
  }

  function line(text) {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return onComment(text.slice(1));
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) {
      lastEventId = value;
      sawId = true;
    } else if (field === 'retry' && /^\d+$/.test(value)) onRetry(Number(value));
  }

  return {
    // Lines end with CRLF, LF or CR; a CR at the end of a chunk waits for
    // the next one, which may start with its LF.
    feed(chunk) {
      buffer += chunk;
      for (;;) {
        const end = buffer.search(/[\r\n]/);
        if (end === -1 || (buffer[end] === '\r' && end === buffer.length - 1)) return;
        const next = buffer.startsWith('\r\n', end) ? end + 2 : end + 1;
        line(buffer.slice(0, end));
        buffer = buffer.slice(next);
      }
    },

    get lastEventId() {
      return lastEventId;
    },

    set lastEventId(id) {
      lastEventId = id;
    },
  };
};

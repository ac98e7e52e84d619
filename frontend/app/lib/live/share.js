// One stream for all the tabs of a browser. Over HTTP/1.1 a browser opens
// about six connections to a host; ten tabs each holding a stream would
// leave none for their requests. So the tabs elect a leader with the Web
// Locks API: the tab holding the lock holds the one connection and relays
// what it reads through a BroadcastChannel to the others, which wait in the
// lock's queue. When the leader closes, the browser frees the lock and the
// next tab takes over, resuming from the last event id relayed to it.
// Where either API is missing, each tab keeps a stream of its own.
//
// Messages, delivered to every tab (the leader's own included):
//   {kind: "event", event: {type, data, id}}   what the stream said
//   {kind: "state", state, lastEventId}        the connection's state
module.exports = class SharedStream {
  // `connect({lastEventId, onEvent, onState})` makes a Connection (started
  // here); `deliver(message)` is this tab's use of each message.
  constructor({name, connect, deliver, env = window}) {
    this.name = name;
    this.connect = connect;
    this.deliver = deliver;
    this.env = env;
    this.state = null;
    this.lastEventId = '';
    this.leader = false;
  }

  get shared() {
    const {navigator, BroadcastChannel} = this.env;
    return Boolean(navigator && navigator.locks && BroadcastChannel);
  }

  start() {
    if (!this.shared) return this.lead();
    this.channel = new this.env.BroadcastChannel(this.name);
    this.channel.onmessage = message => this.received(message.data);
    // A leader, if there is one, answers with its state.
    this.channel.postMessage({kind: 'hello'});
    // Held for as long as this tab lives (or until stop()).
    this.env.navigator.locks.request(this.name, () => {
      if (this.stopped) return null;
      this.lead();
      return new Promise(resolve => {
        this.release = resolve;
      });
    });
  }

  stop() {
    this.stopped = true;
    if (this.connection) this.connection.stop();
    if (this.channel) this.channel.close();
    if (this.release) this.release();
  }

  lead() {
    this.leader = true;
    this.connection = this.connect({
      lastEventId: this.lastEventId,
      onEvent: event => this.send({kind: 'event', event}),
      onState: state => this.send({kind: 'state', state, lastEventId: this.lastEventId}),
    });
    this.connection.start();
  }

  send(message) {
    this.remember(message);
    if (this.channel) this.channel.postMessage(message);
    this.deliver(message);
  }

  received(message) {
    if (message.kind === 'hello') {
      if (this.leader && this.state) {
        this.channel.postMessage({kind: 'state', state: this.state, lastEventId: this.lastEventId});
      }
      return;
    }
    // Only one tab leads; anything else on the channel is not ours to take.
    if (this.leader) return;
    this.remember(message);
    this.deliver(message);
  }

  remember(message) {
    if (message.kind === 'event') this.lastEventId = message.event.id;
    if (message.kind === 'state') {
      this.state = message.state;
      if (message.lastEventId) this.lastEventId = message.lastEventId;
    }
  }
};

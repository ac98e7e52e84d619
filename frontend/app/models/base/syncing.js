const Chaplin = require('chaplin');

// Adds to a Chaplin Model or Collection class:
// - Chaplin's SyncMachine, driven by fetch(), which views use to show
//   "Loading..." and empty states;
// - aborting the request in flight on dispose: a disposed Chaplin object is
//   frozen, and an answer arriving after that would throw.
module.exports = Base =>
  Base.extend(
    Object.assign({}, Chaplin.SyncMachine, {
      fetch(options = {}) {
        this.beginSync();
        const {success} = options;
        const fetched = (...args) => {
          // Synced before Backbone triggers "sync", so that its listeners see it.
          this.finishSync();
          if (success) success.apply(this, args);
        };
        return Base.prototype.fetch
          .call(this, Object.assign({}, options, {success: fetched}))
          .fail(() => this.unsync());
      },

      sync(...args) {
        this.request = Base.prototype.sync.apply(this, args);
        return this.request;
      },

      dispose() {
        if (this.request) this.request.abort();
        Base.prototype.dispose.call(this);
      },
    }),
  );

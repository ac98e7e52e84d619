// Applies live changes (lib/live.js) to the Backbone objects of the open
// page, by the rules of lib/live/merge.js:
// - followPage(collection): a page of a list (models/resource-collection.js);
// - followItem(model): the item of a detail page (models/resource-model.js);
// - editing(model): a form is open on the model, which must not change
//   under it: the model triggers "live:stale" instead.
// Each stops following when its collection or model is disposed.
const request = require('../request');
const {mediator} = require('chaplin');
const {mergeIntoPage, mergeIntoItem} = require('./merge');

// Several changes in a row ask for the total once.
const RECOUNT_DELAY = 300;

// Subscribes `handlers` ({"live:change": fn, ...}) until `target` is disposed.
function subscribe(target, handlers) {
  for (const [name, handler] of Object.entries(handlers)) mediator.subscribe(name, handler);
  target.once('dispose', () => {
    for (const [name, handler] of Object.entries(handlers)) mediator.unsubscribe(name, handler);
  });
}

// Changes that arrive while a fetch is in flight wait for its answer: merged
// into the old page, they would be undone by the new one, which may have
// been read before them.
function whenSynced(target, apply) {
  const waiting = [];
  target.on('synced', () => {
    for (const change of waiting.splice(0)) apply(change);
  });
  return change => {
    if (target.isSynced()) apply(change);
    else waiting.push(change);
  };
}

// A GET that is nobody's business but the live layer's: no banner, no
// login redirect, if it fails (the stream reports those).
function quietGet(url) {
  return request({url, global: false});
}

// --- Lists ----------------------------------------------------------------

// The page as merge.js sees it: the resource's description says what it
// is, the collection's query which part of it is shown.
function pageOf(collection) {
  const {name, search} = collection.description;
  const {q, sort, page} = collection.query;
  return {
    resource: name,
    searchField: search ? search.field : null,
    q,
    sort,
    page,
    perPage: collection.perPage,
    total: collection.total,
    items: collection.map(model => model.attributes),
  };
}

// The collection triggers
// "live:merged" after each change (the pager re-renders) and "live:notice"
// with {fresh, stale} when a reload would show more (views/live-notice-view.js).
function followPage(collection) {
  collection.live = {fresh: 0, stale: false};
  let recountTimer = null;

  function recount() {
    clearTimeout(recountTimer);
    recountTimer = setTimeout(() => {
      if (collection.disposed) return;
      const url = new URL(collection.url(), window.location.href);
      url.searchParams.set('page', '1');
      url.searchParams.set('per_page', '1');
      quietGet(url.pathname + url.search).done(body => {
        if (collection.disposed || typeof body.total !== 'number') return;
        collection.total = body.total;
        collection.trigger('live:merged', collection);
      });
    }, RECOUNT_DELAY);
  }

  function apply(change) {
    if (collection.disposed) return;
    const page = pageOf(collection);
    const plan = mergeIntoPage(page, change);
    if (plan.action === 'update') {
      const model = collection.at(plan.index);
      model.set(plan.document);
      if (plan.at !== plan.index) {
        collection.remove(model);
        collection.add(model, {at: plan.at});
      }
    } else if (plan.action === 'remove') {
      collection.remove(collection.at(plan.index));
    } else if (plan.action === 'insert') {
      collection.add(plan.document, {at: plan.at});
      if (plan.overflow) collection.pop();
    }
    collection.total = plan.total;
    if (plan.recount) recount();
    if (plan.fresh || plan.stale) {
      collection.live.fresh += plan.fresh;
      collection.live.stale = collection.live.stale || plan.stale;
      collection.trigger('live:notice', collection.live);
    }
    if (plan.action !== 'none' || plan.total !== page.total) {
      collection.trigger('live:merged', collection);
    }
  }

  // A fetch (a reload, a reset, a poll) shows the list as it is now.
  collection.on('synced', () => {
    collection.live = {fresh: 0, stale: false};
    collection.trigger('live:notice', collection.live);
  });
  // A fetch in flight may have read the list before what the reset is
  // about: the list is fetched again once it is answered.
  const reload = () => {
    if (collection.disposed) return;
    if (collection.isSyncing()) collection.once('synced', reload);
    else collection.fetch();
  };
  collection.once('dispose', () => clearTimeout(recountTimer));
  subscribe(collection, {
    'live:change': whenSynced(collection, apply),
    'live:reset': reload,
    'live:poll': reload,
  });
}

// --- Items ----------------------------------------------------------------

// The model shows its latest version, or triggers "live:deleted"; while a
// form edits it (editing()), it triggers "live:stale" with the newer
// document (null: deleted) instead of changing.
function followItem(model) {
  const resource = model.description.name;

  function apply(change) {
    if (model.disposed || model.liveDeleted) return;
    const outcome = mergeIntoItem(resource, model.attributes, change);
    if (outcome === 'none') return;
    const document = outcome === 'update' ? change.document : null;
    if (model.liveEditing && saving(model)) {
      // Maybe the echo of the form's own save, which arrived before its
      // answer: judged again once the answer has updated the model.
      model.request.always(() => setTimeout(() => apply(change)));
    } else if (model.liveEditing) {
      model.trigger('live:stale', document);
    } else if (document) {
      model.set(document);
    } else {
      model.liveDeleted = true;
      model.trigger('live:deleted', model);
    }
  }

  // Without events to go by, ask for the item and compare (once a fetch
  // in flight is answered: it may have read the item before the change).
  function check() {
    if (model.disposed || model.isNew()) return;
    if (model.isSyncing()) return model.once('synced', check);
    if (!model.isSynced()) return;
    quietGet(model.url())
      .done(document => apply({resource, op: 'update', _id: model.id, document}))
      .fail(xhr => {
        if (xhr.status === 404) apply({resource, op: 'delete', _id: model.id, document: null});
      });
  }

  subscribe(model, {
    'live:change': whenSynced(model, apply),
    'live:reset': check,
    'live:poll': check,
  });
}

// Whether a request of the model's (models/base/syncing.js) is in flight.
function saving(model) {
  return Boolean(model.request && model.request.state() === 'pending');
}

// Called when a form opens on `model`, for as long as the model lives (the
// edit page's): the model is the form's, which tells of changes, never
// applies them (views/resource/form-view.js).
function editing(model) {
  model.liveEditing = true;
}

module.exports = {followPage, followItem, editing};

// Resource descriptions as the server puts them into the index page's
// bootstrap (`describe()` in backend/api/resource.py and fields.py): the
// widgets, with two text fields, and tasks, with a field of every kind.
const TYPES = {line: 'string', textarea: 'string', number: 'integer', checkbox: 'boolean'};
const EMPTY = {string: '', integer: 0, boolean: false};

function field(name, widget, more = {}) {
  const type = TYPES[widget];
  const limits =
    type === 'string' ? {max_length: widget === 'line' ? 100 : 2000, min_length: 0} : {};
  const label = name.charAt(0).toUpperCase() + name.slice(1);
  const base = {name, label, type, widget, required: false, default: EMPTY[type], help: null};
  return Object.assign(base, limits, more);
}

const SORTS = [
  {value: '-created_at', label: 'Newest first'},
  {value: 'created_at', label: 'Oldest first'},
];

exports.WIDGETS = {
  name: 'widgets',
  url: '/api/widgets',
  label: 'Widgets',
  item_label: 'Widget',
  title_field: 'name',
  fields: [field('name', 'line', {required: true}), field('description', 'textarea')],
  sorts: [...SORTS, {value: 'name', label: 'Name, A to Z'}],
  default_sort: '-created_at',
  search: {param: 'q', field: 'name', label: 'Search by name', max_length: 100},
  page_size: 20,
};

exports.TASKS = {
  name: 'tasks',
  url: '/api/tasks',
  label: 'Tasks',
  item_label: 'Task',
  title_field: 'title',
  fields: [
    field('title', 'line', {required: true}),
    field('notes', 'textarea', {help: 'Only you can see them.'}),
    field('priority', 'number', {minimum: 0, maximum: 5}),
    field('done', 'checkbox'),
  ],
  sorts: [...SORTS, {value: 'priority', label: 'Priority, low to high'}],
  default_sort: '-created_at',
  search: null,
  page_size: 10,
};

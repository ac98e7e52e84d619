// Resource descriptions as the server puts them into the index page's
// bootstrap (see backend/api/fields.py): the widgets, with two text
// fields, and a tasks resource with every kind of field.
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
  fields: [
    {
      name: 'name',
      label: 'Name',
      type: 'string',
      widget: 'line',
      required: true,
      max_length: 100,
      min_length: 0,
      default: '',
      help: null,
    },
    {
      name: 'description',
      label: 'Description',
      type: 'string',
      widget: 'textarea',
      required: false,
      max_length: 2000,
      min_length: 0,
      default: '',
      help: null,
    },
  ],
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
    {
      name: 'title',
      label: 'Title',
      type: 'string',
      widget: 'line',
      required: true,
      max_length: 100,
      min_length: 0,
      default: '',
      help: null,
    },
    {
      name: 'notes',
      label: 'Notes',
      type: 'string',
      widget: 'textarea',
      required: false,
      max_length: 2000,
      min_length: 0,
      default: '',
      help: 'Only you can see them.',
    },
    {
      name: 'priority',
      label: 'Priority',
      type: 'integer',
      widget: 'number',
      required: false,
      minimum: 0,
      maximum: 5,
      default: 0,
      help: null,
    },
    {
      name: 'done',
      label: 'Done',
      type: 'boolean',
      widget: 'checkbox',
      required: false,
      default: false,
      help: null,
    },
  ],
  sorts: [...SORTS, {value: 'priority', label: 'Priority, low to high'}],
  default_sort: '-created_at',
  search: null,
  page_size: 10,
};

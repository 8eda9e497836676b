// The scan worker: main.js runs the worker when it is loaded in a worker thread.
import './main.js';

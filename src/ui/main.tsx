/** The web UI's entry: the stylesheet (bundled beside the script as app.css) and the app mounted on #app. */
import { render } from 'preact';
import { App } from './app.js';
import './app.css';

const root = document.getElementById('app');
if (root) render(<App />, root);

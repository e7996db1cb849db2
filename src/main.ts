import 'katex/dist/katex.min.css';
import './notebook/styles.css';
import './notebook/app';
import { LESSONS, ROUTES } from '../lessons/manifest';

// The shell knows nothing of the lessons until it is handed the list (layers point one way: lessons -> notebook).
const app = document.querySelector('dl-app');
if (app) {
  app.lessons = LESSONS;
  app.routes = ROUTES;
}

import 'katex/dist/katex.min.css';
import './notebook/styles.css';
import './notebook/app';

// The live cells of the forward-process lesson (custom elements the Markdown embeds).
import './explorer';
import './charts';
import './chain';
export { forwardStore } from './state';

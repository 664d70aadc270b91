// Entry of an isolated render thread (piscina). Plain JavaScript, so a thread starts without a
// TypeScript loader of its own: it registers tsx (threads do not inherit the parent's), then
// loads the renderers' TypeScript sources.
import { register } from "tsx/esm/api";

register();
const { runRenderTask } = await import("./run-render-task.ts");

export default runRenderTask;

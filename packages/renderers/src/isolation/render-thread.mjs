// Entry of an isolated render thread when the bundled one cannot be built (see
// bundle-render-thread.ts): plain JavaScript that registers tsx, since threads do not inherit
// the parent's loader, then loads the renderers' TypeScript sources. Slower to start.
import { register } from "tsx/esm/api";

register();
export const { runRenderTask } = await import("./run-render-task.ts");

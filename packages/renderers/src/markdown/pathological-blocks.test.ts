import { describePathologicalMarkdown } from "./pathological-markdown.ts";

describePathologicalMarkdown("blocks");

import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, join } from "node:path";

export const isExecutable = (path: string) =>
  access(path, constants.X_OK).then(
    () => true,
    () => false,
  );

/** The first executable `name` in the folders of `searchPath` (a PATH), then of `moreDirs`. */
export const findExecutable = async (
  name: string,
  searchPath: string,
  moreDirs: readonly string[] = [],
): Promise<string | undefined> => {
  for (const dir of [...searchPath.split(delimiter).filter(Boolean), ...moreDirs]) {
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
};

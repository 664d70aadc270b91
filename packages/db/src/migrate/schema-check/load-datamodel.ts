// Prisma's own reading of schema.prisma (its DMMF), without @prisma/internals.
//
// `getDMMF` from @prisma/internals is not installed here, but the Prisma CLI ships the engine it
// calls: prisma/build/prisma_schema_build_bg.wasm (the `@prisma/prisma-schema-wasm` build). Below
// is the minimal wasm-bindgen glue to call its `get_dmmf`. Import names carry build hashes, so
// they are matched by prefix; a Prisma upgrade that changes this ABI fails loudly at load, naming
// the import, instead of letting the schema test pass on a half-read schema.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { DmmfDatamodel } from "./dmmf.ts";

interface SchemaWasmExports {
  memory: WebAssembly.Memory;
  __wbindgen_externrefs: WebAssembly.Table;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(pointer: number, size: number, align: number): void;
  __externref_table_dealloc(index: number): void;
  __wbindgen_start(): void;
  /** Answers [resultPointer, resultLength, errorRef, isError]. */
  get_dmmf(pointer: number, length: number): [number, number, number, number];
}

let engine: Promise<SchemaWasmExports> | undefined;

/** Parses and validates a Prisma schema with Prisma's engine; throws Prisma's validation errors. */
export async function loadPrismaDatamodel(schema: string): Promise<DmmfDatamodel> {
  engine ??= instantiateSchemaEngine();
  const wasm = await engine;
  const input = new TextEncoder().encode(JSON.stringify({ prismaSchema: schema, noColor: true }));
  const pointer = wasm.__wbindgen_malloc(input.length, 1);
  new Uint8Array(wasm.memory.buffer, pointer, input.length).set(input);
  const [resultPointer, resultLength, errorRef, isError] = wasm.get_dmmf(pointer, input.length);
  if (isError) {
    const error: unknown = wasm.__wbindgen_externrefs.get(errorRef);
    wasm.__externref_table_dealloc(errorRef);
    throw error instanceof Error ? error : new Error(String(error));
  }
  const json = readString(wasm, resultPointer, resultLength);
  wasm.__wbindgen_free(resultPointer, resultLength, 1);
  return (JSON.parse(json) as { datamodel: DmmfDatamodel }).datamodel;
}

async function instantiateSchemaEngine(): Promise<SchemaWasmExports> {
  const prismaRoot = dirname(createRequire(import.meta.url).resolve("prisma/package.json"));
  const module = await WebAssembly.compile(
    await readFile(join(prismaRoot, "build/prisma_schema_build_bg.wasm")),
  );
  let wasm: SchemaWasmExports | undefined;
  const exportsOf = (): SchemaWasmExports => {
    if (!wasm) throw new Error("prisma schema engine called back before it was instantiated");
    return wasm;
  };
  const shims: Record<string, (...args: number[]) => unknown> = {};
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    if (from !== "__wbindgen_placeholder__") throw unknownImport(from, name);
    if (name.startsWith("__wbg_Error_")) {
      shims[name] = (pointer, length) => new Error(readString(exportsOf(), pointer, length));
    } else if (name.startsWith("__wbg___wbindgen_throw_")) {
      shims[name] = (pointer, length) => {
        throw new Error(readString(exportsOf(), pointer, length));
      };
    } else if (name.startsWith("__wbg_set_message_")) {
      // A Rust panic's message; the panic itself surfaces as a thrown RuntimeError.
      shims[name] = (pointer, length) => {
        process.stderr.write(`prisma schema engine panicked: ${readString(exportsOf(), pointer, length)}\n`);
      };
    } else if (name === "__wbindgen_init_externref_table") {
      shims[name] = () => {
        const table = exportsOf().__wbindgen_externrefs;
        const offset = table.grow(4);
        table.set(0, undefined);
        table.set(offset, undefined);
        table.set(offset + 1, null);
        table.set(offset + 2, true);
        table.set(offset + 3, false);
      };
    } else {
      throw unknownImport(from, name);
    }
  }
  const instance = await WebAssembly.instantiate(module, { __wbindgen_placeholder__: shims });
  wasm = instance.exports as unknown as SchemaWasmExports;
  wasm.__wbindgen_start();
  return wasm;
}

function readString(wasm: SchemaWasmExports, pointer: number, length: number): string {
  return new TextDecoder("utf-8", { fatal: true }).decode(
    new Uint8Array(wasm.memory.buffer, pointer, length),
  );
}

function unknownImport(module: string, name: string): Error {
  return new Error(
    `prisma_schema_build_bg.wasm wants import ${module}.${name}, which this loader does not provide: ` +
      "the Prisma version changed its wasm ABI; update load-datamodel.ts",
  );
}

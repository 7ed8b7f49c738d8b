// Every mnemonic the assembler accepts, lower-case.
import { BRANCHES } from "./branches.ts";
import { DATA_PROCESSING } from "./data-processing.ts";
import type { MnemonicHandler } from "./handler.ts";
import { MEMORY } from "./memory.ts";
import { SYSTEM } from "./system.ts";

export const MNEMONICS: ReadonlyMap<string, MnemonicHandler> = new Map(
  Object.entries({ ...DATA_PROCESSING, ...BRANCHES, ...MEMORY, ...SYSTEM }),
);

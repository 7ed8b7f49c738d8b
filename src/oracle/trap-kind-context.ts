// What generateTrapCase hands a family of trap kinds (syndrome-cases.ts, walk-fault-cases.ts,
// address-size-cases.ts): the batch's draws for this set-up and the trap builder's input under
// construction, which the family's case completes. One shape for every family.
import type { GuestAccessTrapInput, Stage1MappingSpec, Stage2MappingSpec } from "../runtime/scenario/index.ts";

export interface TrapKindContext {
  /** How many times this kind came round in the batch: picks the sub-variant. */
  readonly round: number;
  readonly vaPage: bigint;
  /** A random IPA page in [2G, 2^40): a family reduces it where its IPA space is smaller. */
  readonly ipaPage: bigint;
  readonly paPage: bigint;
  /** An offset into the page, drawn by the batch's generator. */
  readonly offset: bigint;
  /** The image's mappings so far; the family adds the data's. */
  readonly stage1: Stage1MappingSpec[];
  readonly stage2: Stage2MappingSpec[];
  /** Fields of the trap input the family sets beyond the mappings. */
  readonly extra: Partial<GuestAccessTrapInput>;
}

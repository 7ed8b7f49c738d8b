// Scenarios: the state a guest trap leaves at the EL2 vector, its JSON form, the machine built from
// it, and the trap builder that derives it from a guest access.
export {
  ARM64_HAS_S1POE, AT_OPERATION_NAMES, KNOWN_CAPABILITIES, parAtText, parFor, SCENARIO_IPA_BITS, ScenarioError, checkSysregsKeys, hex, parseCaps, parseHex64, parseScenario, parseSysregs,
  scenario, scenarioToJson, scenarioToOptions, type AtOperationName, type Naming, type Scenario, type ScenarioAt, type TableFaultKind,
} from "./scenario.ts";
export {
  SCENARIO_LAYOUT, machineForScenario, scenarioMachineSetup, unknownHpfarValue,
  type ScenarioMachineOptions, type ScenarioMachineSetup, type ScenarioMetadata,
} from "./machine.ts";
export {
  EC_DABT_CUR, EC_DABT_LOW, EC_IABT_CUR, EC_IABT_LOW, hpfarForIpa, hpfarIsValid, trapFromGuestAccess,
  type GuestAccessTrapInput, type NoTrap, type Stage1MappingSpec, type Stage1Trap, type Stage2MappingSpec, type Stage2Trap,
  type Stage2TrapMetadata, type TableFaultSpec, type TrapOutcome,
} from "./trap.ts";
export { arbitraryBytes, arbitraryValue, splitmix64 } from "./prng.ts";
export {
  COMPUTED_KEYS, GUEST_SCHEMA, guestSchemaTable, readScenario, scenarioErrorPosition, trapToJson, type ScenarioInput,
} from "./guest-setup.ts";
export { parseJsonWithPositions, positionAt, PositionedJson, JsonSyntaxError, type JsonPath, type TextPosition } from "./json-positions.ts";

export { runSimulation, Stepper } from './run-simulation.js';
export type { SimulationOptions, SimulationResult } from './run-simulation.js';
export { VirtualTime } from './virtual-time.js';

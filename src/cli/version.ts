// The version a results record names: the package and the simulator model.
import { SIM_VERSION } from '../sim';
import packageJson from '../../package.json';

export const PACKAGE_VERSION: string = packageJson.version;
export const LAB_VERSION = `${PACKAGE_VERSION}+sim.${SIM_VERSION}`;
export { SIM_VERSION };

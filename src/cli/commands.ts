import type { Command } from './command.js';
import { initCommand } from './init-command.js';
import { signCommand } from './sign-command.js';

/** Every subcommand, in the order `smsgate-ca --help` lists them. */
export const COMMANDS: readonly Command[] = [initCommand, signCommand];

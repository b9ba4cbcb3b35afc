import { backupCommand } from './backup-command.js';
import type { Command } from './command.js';
import { privateCommand, webhooksCommand } from './client-command.js';
import { eabCommand } from './eab-command.js';
import { initCommand } from './init-command.js';
import { serveCommand } from './serve-command.js';
import { signCommand } from './sign-command.js';

/** Every subcommand, in the order `smsgate-ca --help` lists them. */
export const COMMANDS: readonly Command[] = [initCommand, signCommand, serveCommand, backupCommand, webhooksCommand, privateCommand, eabCommand];

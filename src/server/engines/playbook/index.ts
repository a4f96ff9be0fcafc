export * from './playbook.js';

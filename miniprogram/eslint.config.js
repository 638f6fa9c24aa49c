// ESLint for the mini-program's JavaScript (WeChat's runtime: CommonJS, its globals).
'use strict';

const js = require('@eslint/js');
const globals = require('globals');

module.exports = [
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      ecmaVersion: 2017,
      sourceType: 'commonjs',
      globals: { wx: 'readonly', App: 'readonly', Page: 'readonly', getApp: 'readonly', Promise: 'readonly' },
    },
    rules: { 'no-var': 'off', strict: ['error', 'global'], eqeqeq: 'error', 'no-undef': 'error' },
  },
  {
    files: ['**/test/**/*.js', '**/eslint.config.js'],
    languageOptions: { ecmaVersion: 2022, globals: globals.node },
  },
];

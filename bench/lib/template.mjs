// Renders bench/configs/* templates: every {{NAME}} is replaced, and a missing value is an error.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CONFIGS = fileURLToPath(new URL('../configs/', import.meta.url));

export function render(templateName, values, outFile) {
  const text = readFileSync(CONFIGS + templateName, 'utf8').replace(/\{\{(\w+)\}\}/g, (_, key) => {
    if (values[key] === undefined) throw new Error(`${templateName}: no value for {{${key}}}`);
    return String(values[key]);
  });
  writeFileSync(outFile, text);
  return outFile;
}

/**
 * Formula injection: spreadsheet programs treat a text cell starting with = + - @ (or tab / carriage
 * return) as a formula. Such text gets a leading apostrophe so it shows as the text it is. Used by every
 * spreadsheet-shaped export (CSV, XLSX) so the rule lives in one place. Numbers we wrote ourselves are not
 * text and never pass through here.
 */
export function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

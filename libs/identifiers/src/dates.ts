/** Calendar-date helpers (no time zones: these are civil dates printed on cards). */

/** `yyyy-MM-dd` when the parts form a real Gregorian date, else `undefined`. */
export const toIsoDate = (year: number, month: number, day: number): string | undefined => {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return undefined;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return undefined;
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate(); // 2000 is a leap year
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const max = month === 2 ? (leap ? 29 : 28) : daysInMonth;
  if (day > max) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
};

/** Parses `ddMMyyyy` (CCCD QR) into `yyyy-MM-dd`. */
export const parseDdMmYyyy = (raw: string): string | undefined => {
  const m = /^(\d{2})(\d{2})(\d{4})$/u.exec(raw);
  return m ? toIsoDate(Number(m[3]), Number(m[2]), Number(m[1])) : undefined;
};

/** Parses `dd/MM/yyyy` (BHYT card, gateway) into `yyyy-MM-dd`. */
export const parseDdSlashMmSlashYyyy = (raw: string): string | undefined => {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/u.exec(raw);
  return m ? toIsoDate(Number(m[3]), Number(m[2]), Number(m[1])) : undefined;
};

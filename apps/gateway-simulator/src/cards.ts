import { SeededRng } from './faults';

/** Status of a synthetic card; drives the lookup result code. */
export type CardStatus =
  | 'valid' // 000
  | 'defence' // 001
  | 'police' // 002
  | 'oldExpiredNewIssued' // 003
  | 'oldValidNewIssued' // 004
  | 'expired' // 010
  | 'withdrawn' // 110
  | 'reduced' // 120
  | 'reducedMovedProvince' // 121
  | 'reducedMovedWithin' // 122
  | 'reducedReenrolled' // 123
  | 'reducedStopped'; // 124

export const STATUS_CODE: Record<CardStatus, string> = {
  valid: '000',
  defence: '001',
  police: '002',
  oldExpiredNewIssued: '003',
  oldValidNewIssued: '004',
  expired: '010',
  withdrawn: '110',
  reduced: '120',
  reducedMovedProvince: '121',
  reducedMovedWithin: '122',
  reducedReenrolled: '123',
  reducedStopped: '124',
};

export interface SyntheticCard {
  readonly maThe: string;
  readonly hoTen: string;
  /** dd/MM/yyyy */
  readonly ngaySinh: string;
  readonly gioiTinh: 'Nam' | 'Nữ';
  readonly maDKBD: string;
  readonly gtTheTu: string;
  readonly gtTheDen: string;
  readonly status: CardStatus;
  readonly maTheMoi: string;
}

/** Province codes used by the card-number check (052). */
export const PROVINCES = new Set([
  '01',
  '02',
  '04',
  '06',
  '08',
  '10',
  '11',
  '12',
  '14',
  '15',
  '17',
  '19',
  '20',
  '22',
  '24',
  '25',
  '26',
  '27',
  '30',
  '31',
  '33',
  '34',
  '35',
  '36',
  '37',
  '38',
  '40',
  '42',
  '44',
  '45',
  '46',
  '48',
  '49',
  '51',
  '52',
  '54',
  '56',
  '58',
  '60',
  '62',
  '64',
  '66',
  '67',
  '68',
  '70',
  '72',
  '74',
  '75',
  '77',
  '79',
  '80',
  '82',
  '83',
  '84',
  '86',
  '87',
  '89',
  '91',
  '92',
  '93',
  '94',
  '95',
  '96',
]);

const FAMILY = ['NGUYỄN', 'TRẦN', 'LÊ', 'PHẠM', 'HOÀNG', 'VŨ', 'ĐẶNG', 'BÙI'];
const MIDDLE = ['VĂN', 'THỊ', 'HỮU', 'MINH', 'NGỌC'];
const GIVEN = ['AN', 'BÌNH', 'CƯỜNG', 'DUNG', 'HÀ', 'KHOA', 'LAN', 'MAI', 'NAM', 'PHÚC', 'QUÂN', 'TÂM'];
const GROUPS = ['GD', 'HT', 'DN', 'HN', 'TE', 'CN'];
const STATUSES = Object.keys(STATUS_CODE) as CardStatus[];

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * Builds a deterministic synthetic population. The first 12 cards cover every status once (in
 * STATUSES order) so tests can pick a card per result code; the rest are mostly valid.
 */
export function seedCards(seed: number, count: number, facilityCodes: readonly string[]): SyntheticCard[] {
  const rng = new SeededRng(seed);
  const cards: SyntheticCard[] = [];
  const facilities = facilityCodes.length ? facilityCodes : ['79001'];
  for (let i = 0; i < count; i++) {
    const status: CardStatus =
      i < STATUSES.length ? STATUSES[i]! : rng.next() < 0.85 ? 'valid' : STATUSES[rng.int(STATUSES.length)]!;
    const maDKBD = facilities[i % facilities.length]!;
    const province = maDKBD.slice(0, 2);
    const group = status === 'defence' ? 'QN' : status === 'police' ? 'CA' : GROUPS[rng.int(GROUPS.length)]!;
    const benefit = 1 + rng.int(5);
    const social = pad(1_000_000_000 + i * 7919 + rng.int(7000), 10).slice(-10);
    const maThe = `${group}${benefit}${province}${social}`;
    const hoTen = `${FAMILY[rng.int(FAMILY.length)]} ${MIDDLE[rng.int(MIDDLE.length)]} ${GIVEN[rng.int(GIVEN.length)]}`;
    const ngaySinh = `${pad(1 + rng.int(28))}/${pad(1 + rng.int(12))}/${1940 + rng.int(80)}`;
    const expired = status === 'expired' || status === 'oldExpiredNewIssued';
    const year = expired ? 2020 : 2099;
    const newCard =
      status === 'oldExpiredNewIssued' || status === 'oldValidNewIssued'
        ? `${group}${benefit}${province}${pad(Number(social) + 1, 10).slice(-10)}`
        : maThe;
    cards.push({
      maThe,
      hoTen,
      ngaySinh,
      gioiTinh: rng.next() < 0.5 ? 'Nam' : 'Nữ',
      maDKBD,
      gtTheTu: `01/01/${year - 1}`,
      gtTheDen: `31/12/${year}`,
      status,
      maTheMoi: newCard,
    });
  }
  return cards;
}

export function normaliseName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toUpperCase();
}

/**
 * The one decision on what a submission answer with maKetQua 200 means (bhyt-gateway.md §4.3).
 *
 * The official guide names 200 as success and shows `thongDiep` "Đã tiếp nhận hồ sơ" (record
 * received) with a transaction id `maGiaoDich` the facility stores. It says nothing about a 200
 * whose message says something else. Choice: a 200 is an acceptance only when it carries a
 * maGiaoDich AND its message is empty or speaks of reception/success; a 200 with a transaction id
 * but another message (an error text, a warning, a "not received") is handed to an operator —
 * not accepted (the claim might not be held, and a lost claim would go unnoticed) and not
 * re-sent automatically (the gateway issued a transaction id, so it may hold the claim: a
 * re-send could duplicate it). A 200 without maGiaoDich stays ambiguous (classify.ts).
 */
const RECEPTION = /(tiep nhan|thanh cong|da nhan|success|received|accepted)/;

/** thongDiep in lower case without Vietnamese diacritics, so wording variants compare equal. */
export function foldMessage(message: string): string {
  return message
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}

/** Whether the message of a 200 answer confirms reception (empty counts: the guide does not require one). */
export function messageConfirmsReception(thongDiep: string): boolean {
  return thongDiep.trim() === '' || RECEPTION.test(foldMessage(thongDiep));
}

export const UNCONFIRMED_SUCCESS_CODE = '200_UNCONFIRMED';

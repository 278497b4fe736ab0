import {
  BACKLOG_BUCKETS,
  BACKLOG_LABELS,
  Period,
  periodLabel,
  ReportDocument,
  ReportKind,
  vnDate,
} from '@bhyt/reporting';
import { ChartDay, submissionChart } from './chart';
import { vietnamWallClock } from '@bhyt/contracts';

/**
 * The provincial Department of Health's page, rendered on the server: the compliance table per
 * facility and province, the chart of daily submissions, and the report downloads. Plain HTML
 * and inline SVG and CSS; no script.
 */
export const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const int = (n: number) => n.toLocaleString('vi-VN');
const pct = (r: number | null) =>
  r === null
    ? '–'
    : `${(r * 100).toLocaleString('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;

const STYLE = `body{font-family:sans-serif;margin:24px;color:#222;background:#fff}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:4px 8px}th{background:#ddebf7}td.n{text-align:right}
tr.total td{font-weight:bold;background:#f4f4f4}nav a{margin-right:12px}form.inline{display:inline}.muted{color:#666;font-size:12px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}`;

const layout = (title: string, body: string) =>
  `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;

export function loginPage(error?: string): string {
  return layout(
    'Đăng nhập — Báo cáo Sổ sức khỏe điện tử',
    `<h1>Báo cáo liên thông Sổ sức khỏe điện tử — Sở Y tế</h1>
<form method="post" action="/ui/login">
<p><label>Tên đăng nhập <input name="username" autocomplete="username" required></label></p>
<p><label>Mật khẩu <input name="password" type="password" autocomplete="current-password" required></label></p>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<p><button type="submit">Đăng nhập</button></p></form>`,
  );
}

export interface DownloadLink {
  label: string;
  kind: ReportKind;
  key: string;
  generatedAt?: string;
}

export interface DashboardModel {
  user: string;
  period: Period;
  doc: ReportDocument;
  series: ChartDay[];
  downloads: DownloadLink[];
}

const dlHref = (kind: string, key: string, format: 'xlsx' | 'csv') =>
  `/ui/reports/${encodeURIComponent(kind)}/${encodeURIComponent(key)}.${format}`;

export function dashboardPage(m: DashboardModel): string {
  const rows = m.doc.scopes
    .map((s) => {
      const f = s.figures;
      const total = s.scope === 'all' || 'province' in s.scope;
      const code = typeof s.scope === 'object' && 'facility' in s.scope ? s.scope.facility : '';
      return `<tr${total ? ' class="total"' : ''} data-scope="${esc(code || (typeof s.scope === 'object' && 'province' in s.scope ? `province-${s.scope.province}` : 'all'))}">
<td>${esc(s.label)}</td><td class="n">${int(f.encounters)}</td><td class="n">${int(f.submitted)}</td><td class="n on-time">${pct(f.onTimeRate)}</td>
<td class="n">${int(f.accepted)}</td><td class="n rejected">${int(f.rejected)}</td><td class="n">${int(f.missed)}</td>
${BACKLOG_BUCKETS.map((b) => `<td class="n">${int(f.backlog[b])}</td>`).join('')}<td class="n backlog">${int(f.backlogTotal)}</td></tr>`;
    })
    .join('\n');
  const downloads = m.downloads
    .map(
      (
        d,
      ) => `<li>${esc(d.label)}: <a href="${dlHref(d.kind, d.key, 'xlsx')}">XLSX</a> · <a href="${dlHref(d.kind, d.key, 'csv')}">CSV</a>
${d.generatedAt ? `<span class="muted">(lập lúc ${esc(vnDateTime(d.generatedAt))})</span>` : '<span class="muted">(chưa lập — tạo khi tải)</span>'}
<form class="inline" method="post" action="/ui/reports/${encodeURIComponent(d.kind)}/${encodeURIComponent(d.key)}/regenerate"><button type="submit">Lập lại</button></form></li>`,
    )
    .join('\n');
  const kinds: Array<[ReportKind, string]> = [
    ['weekly', 'Tuần'],
    ['monthly', 'Tháng'],
    ['semiannual', '6 tháng'],
  ];
  return layout(
    'Tuân thủ liên thông Sổ sức khỏe điện tử',
    `<header><h1>Tuân thủ liên thông Sổ sức khỏe điện tử — Sở Y tế</h1>
<p>${esc(periodLabel(m.period))} (từ ${vnDate(m.period.from)} đến ${vnDate(m.period.to)}) · <span class="muted">Người dùng: ${esc(m.user)}</span>
<form class="inline" method="post" action="/ui/logout"><button type="submit">Đăng xuất</button></form></p>
<nav>${kinds.map(([k, label]) => `<a href="/ui?kind=${k}">${label} này</a>`).join('')}</nav></header>
<h2>Tình hình tuân thủ theo cơ sở</h2>
<table id="compliance"><thead><tr><th>Cơ sở KBCB</th><th>Lượt KCB kết thúc</th><th>Hồ sơ đã gửi</th><th>Tỷ lệ gửi đúng hạn</th><th>Cổng tiếp nhận hợp lệ</th><th>Bị từ chối</th><th>Quá hạn chưa gửi</th>
${BACKLOG_BUCKETS.map((b) => `<th>${esc(BACKLOG_LABELS[b])}</th>`).join('')}<th>Tổng tồn đọng</th></tr></thead><tbody>
${rows}</tbody></table>
<p class="muted">Tồn đọng tính đến ${esc(vnDateTime(m.doc.backlogAsOf))}; hồ sơ tính theo ngày kết thúc lượt khám chữa bệnh (giờ Việt Nam).</p>
<h2>Số hồ sơ gửi cổng giám định theo ngày</h2>
<figure>${submissionChart(m.series, 'Số hồ sơ gửi cổng giám định theo ngày')}
<figcaption class="legend"><span style="background:#1f5fbf"></span>Đúng hạn<span style="background:#c62828"></span>Trễ hạn</figcaption></figure>
<h2>Tải báo cáo</h2><ul id="downloads">${downloads}</ul>`,
  );
}

function vnDateTime(iso: string): string {
  const local = vietnamWallClock(Date.parse(iso));
  return `${local.slice(11, 16)} ${vnDate(local.slice(0, 10))}`;
}

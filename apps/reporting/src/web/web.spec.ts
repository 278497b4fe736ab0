import { axisMax, chartSlots, submissionChart } from './chart';
import { dashboardPage, esc, loginPage } from './page';
import { hashPassword, sessionCookie, sessionToken, verifyPassword } from './web-auth';

describe('the web page’s login', () => {
  it('verifies a password against its scrypt hash and refuses another', async () => {
    const stored = await hashPassword('mật-khẩu-đúng');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('mật-khẩu-đúng', stored)).toBe(true);
    expect(await verifyPassword('mật-khẩu-sai', stored)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });

  it('reads its session cookie among others and sets it HttpOnly, SameSite=Strict, on /ui only', () => {
    expect(sessionToken('a=1; bhyt_reporting_session=abc%3D; b=2')).toBe('abc=');
    expect(sessionToken('a=1')).toBeUndefined();
    expect(sessionCookie('t', true)).toBe(
      'bhyt_reporting_session=t; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=28800; Secure',
    );
  });
});

describe('the page', () => {
  it('escapes text and shows the login error in Vietnamese', () => {
    expect(esc('<a href="x">')).toBe('&#60;a href=&#34;x&#34;&#62;');
    expect(loginPage('Sai mật khẩu')).toContain('role="alert">Sai mật khẩu');
  });

  it('rounds the chart axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 2, 3, 7, 12, 180].map(axisMax)).toEqual([1, 1, 2, 5, 10, 20, 200]);
  });

  it('draws a bar per day with submissions, on time under late, inside the plot', () => {
    const svg = submissionChart(
      [
        { day: '2026-01-01', submitted: 4, onTime: 3 },
        { day: '2026-01-02', submitted: 0, onTime: 0 },
      ],
      'T',
    );
    expect(svg.match(/class="on-time"/g)).toHaveLength(1);
    expect(svg.match(/class="late"/g)).toHaveLength(1);
    const { x, barWidth } = chartSlots(2);
    expect(svg).toContain(`<rect class="on-time" x="${x(0)}" y="98" width="${barWidth}" height="122"`); // 3/5 of the 204 px plot (axis 5), from its base at y 220
  });

  it('never lets a facility name inject markup into the table', () => {
    const doc = {
      scopes: [
        {
          scope: { facility: '79001' },
          label: '<script>x</script>',
          figures: {
            encounters: 0,
            submitted: 0,
            onTimeRate: null,
            accepted: 0,
            rejected: 0,
            missed: 0,
            backlog: { lt6h: 0, h6to12: 0, h12to24: 0, ge24h: 0 },
            backlogTotal: 0,
          },
        },
      ],
      backlogAsOf: '2026-01-01T00:00:00Z',
    };
    const html = dashboardPage({
      user: 'soyte',
      period: { kind: 'monthly', key: '2026-01', from: '2026-01-01', to: '2026-01-31' },
      doc: doc as never,
      series: [],
      downloads: [],
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
  });
});

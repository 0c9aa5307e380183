// The fake web applications as data: for each FAKE_APP, its Server header, its pages, its login
// forms (where credentials are posted) and its Basic-auth protected paths. A route table, not
// code paths, so adding an application is adding an entry.
import type { FakeApp } from './options.js';

/** What a matched route does. */
export type Route =
  /** A page: status, content type, body. */
  | { readonly kind: 'page'; readonly status?: number; readonly type?: string; readonly body: string; readonly headers?: readonly [string, string][] }
  /** A login form target: answers `body` (the form again, with an error) and a credential is captured. */
  | { readonly kind: 'login'; readonly status?: number; readonly type?: string; readonly body: string; readonly headers?: readonly [string, string][] }
  /** Basic-auth protected: 401 with a challenge (credentials never succeed). */
  | { readonly kind: 'basic'; readonly realm: string }
  /** A redirect. */
  | { readonly kind: 'redirect'; readonly location: string; readonly status?: number };

/** One imitated application. */
export interface FakeSite {
  /** The Server header it sends unless SERVER_HEADER overrides it. */
  readonly server: string;
  /** Extra headers every response of this application carries. */
  readonly headers: readonly [string, string][];
  /** Exact paths (without query) to routes; `GET /` is the default page. */
  readonly routes: ReadonlyMap<string, Route>;
  /** Path prefixes protected by Basic auth. */
  readonly basicPrefixes: readonly (readonly [string, string])[];
  /** The 404 page. */
  readonly notFound: (path: string, server: string) => string;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function apache404(path: string, server: string): string {
  return `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL ${esc(path.slice(0, 200))} was not found on this server.</p>\n<hr>\n<address>${esc(server)} Server Port 80</address>\n</body></html>\n`;
}

/** A 401 page in Apache's words. */
export function unauthorizedPage(server: string): string {
  return `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>401 Unauthorized</title>\n</head><body>\n<h1>Unauthorized</h1>\n<p>This server could not verify that you\nare authorized to access the document\nrequested.  Either you supplied the wrong\ncredentials (e.g., bad password), or your\nbrowser doesn't understand how to supply\nthe credentials required.</p>\n<hr>\n<address>${esc(server)} Server Port 80</address>\n</body></html>\n`;
}

/** A 408 page in Apache's words (mod_reqtimeout cut a request that had begun). */
export function requestTimeoutPage(server: string): string {
  return `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>408 Request Timeout</title>\n</head><body>\n<h1>Request Timeout</h1>\n<p>Server timeout waiting for the HTTP request from the client.</p>\n<hr>\n<address>${esc(server)} Server Port 80</address>\n</body></html>\n`;
}

/** A 400 page in Apache's words. */
export function badRequestPage(server: string): string {
  return `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>400 Bad Request</title>\n</head><body>\n<h1>Bad Request</h1>\n<p>Your browser sent a request that this server could not understand.<br />\n</p>\n<hr>\n<address>${esc(server)} Server Port 80</address>\n</body></html>\n`;
}

const APACHE_DEFAULT = `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
  <head>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
    <title>Apache2 Ubuntu Default Page: It works</title>
  </head>
  <body>
    <div class="main_page">
      <div class="page_header floating_element">
        <span class="floating_element">Apache2 Ubuntu Default Page</span>
      </div>
      <div class="content_section floating_element">
        <div class="section_header section_header_red"><div id="about"></div>It works!</div>
        <div class="content_section_text">
          <p>This is the default welcome page used to test the correct operation of the Apache2 server after installation on Ubuntu systems.
          If you can read this page, it means that the Apache HTTP server installed at this site is working properly.
          You should <b>replace this file</b> (located at <tt>/var/www/html/index.html</tt>) before continuing to operate your HTTP server.</p>
        </div>
      </div>
    </div>
  </body>
</html>
`;

const loginPage = (title: string, action: string, user: string, pass: string, error = ''): string => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body class="login"><div id="login"><h1>${title}</h1>
${error ? `<div id="login_error" class="error">${error}</div>\n` : ''}<form name="loginform" id="loginform" action="${action}" method="post">
<p><label for="${user}">Username</label><input type="text" name="${user}" id="${user}" autocomplete="username" size="20"></p>
<p><label for="${pass}">Password</label><input type="password" name="${pass}" id="${pass}" autocomplete="current-password" size="20"></p>
<p class="submit"><input type="submit" name="submit" id="submit" value="Log In"></p>
</form></div></body></html>
`;

const html = 'text/html; charset=UTF-8';
const UBUNTU_APACHE = 'Apache/2.4.52 (Ubuntu)';
const PHP: [string, string] = ['X-Powered-By', 'PHP/8.1.2-1ubuntu2.18'];

const ROBOTS = 'User-agent: *\nDisallow: /admin/\n';

function site(server: string, routes: [string, Route][], basic: [string, string][] = [], headers: [string, string][] = []): FakeSite {
  return { server, headers, routes: new Map(routes), basicPrefixes: basic, notFound: apache404 };
}

const WP_LOGIN = loginPage('Log In &lsaquo; Company Blog &#8212; WordPress', '/wp-login.php', 'log', 'pwd');
const WP_LOGIN_ERROR = loginPage(
  'Log In &lsaquo; Company Blog &#8212; WordPress',
  '/wp-login.php',
  'log',
  'pwd',
  '<strong>Error:</strong> The password you entered for the username is incorrect. <a href="/wp-login.php?action=lostpassword">Lost your password?</a>',
);
const PMA_LOGIN = loginPage('phpMyAdmin', '/index.php', 'pma_username', 'pma_password');
const PMA_ERROR = loginPage('phpMyAdmin', '/index.php', 'pma_username', 'pma_password', "mysqli::real_connect(): (HY000/1045): Access denied for user");
const JENKINS_LOGIN = loginPage('Sign in [Jenkins]', '/j_spring_security_check', 'j_username', 'j_password');
const JENKINS_ERROR = loginPage('Sign in [Jenkins]', '/j_spring_security_check', 'j_username', 'j_password', 'Invalid username or password');
const ROUTER_LOGIN = loginPage('Wireless Router Management', '/login.cgi', 'username', 'password');
const ROUTER_ERROR = loginPage('Wireless Router Management', '/login.cgi', 'username', 'password', 'Invalid username or password.');
const NAS_LOGIN = loginPage('DiskStation - Sign In', '/webapi/auth.cgi', 'account', 'passwd');

const TOMCAT_HOME = `<!DOCTYPE html>\n<html lang="en"><head><meta charset="UTF-8" /><title>Apache Tomcat/9.0.58</title></head>\n<body><div id="wrapper"><div id="navigation" class="curved container"><span id="nav-home"><a href="https://tomcat.apache.org/">Home</a></span></div>\n<div id="asf-box"><h1>Apache Tomcat/9.0.58</h1></div>\n<div id="congrats" class="curved container"><h2>If you're seeing this, you've successfully installed Tomcat. Congratulations!</h2></div>\n<div class="col25"><div class="container"><div class="button"><a class="container shadow" href="/manager/status"><span>Server Status</span></a></div><div class="button"><a class="container shadow" href="/manager/html"><span>Manager App</span></a></div><div class="button"><a class="container shadow" href="/host-manager/html"><span>Host Manager</span></a></div></div></div></div></body></html>\n`;

/** The applications, by FAKE_APP. */
export const SITES: Readonly<Record<FakeApp, FakeSite>> = {
  none: site(
    UBUNTU_APACHE,
    [
      ['/', { kind: 'page', body: APACHE_DEFAULT }],
      ['/index.html', { kind: 'page', body: APACHE_DEFAULT }],
      ['/robots.txt', { kind: 'page', type: 'text/plain', body: ROBOTS }],
      ['/server-status', { kind: 'page', status: 403, body: '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>403 Forbidden</title>\n</head><body>\n<h1>Forbidden</h1>\n<p>You don\'t have permission to access this resource.</p>\n</body></html>\n' }],
      ['/login', { kind: 'page', body: loginPage('Administration', '/login', 'username', 'password') }],
    ],
    [
      ['/admin', 'Restricted Area'],
      ['/private', 'Restricted Area'],
    ],
  ),
  wordpress: site(
    UBUNTU_APACHE,
    [
      ['/', { kind: 'page', body: '<!DOCTYPE html>\n<html lang="en-US"><head><meta charset="UTF-8"><meta name="generator" content="WordPress 6.4.3" /><title>Company Blog &#8211; Just another WordPress site</title><link rel="https://api.w.org/" href="/wp-json/" /></head><body class="home blog"><header><h1 class="site-title"><a href="/">Company Blog</a></h1></header><main><article><h2>Hello world!</h2><p>Welcome to WordPress. This is your first post.</p></article></main></body></html>\n', headers: [['Link', '</wp-json/>; rel="https://api.w.org/"']] }],
      ['/wp-login.php', { kind: 'login', body: WP_LOGIN_ERROR, headers: [['Set-Cookie', 'wordpress_test_cookie=WP%20Cookie%20check; path=/']] }],
      ['/wp-admin', { kind: 'redirect', location: '/wp-login.php?redirect_to=%2Fwp-admin%2F&reauth=1' }],
      ['/wp-admin/', { kind: 'redirect', location: '/wp-login.php?redirect_to=%2Fwp-admin%2F&reauth=1' }],
      ['/xmlrpc.php', { kind: 'login', type: 'text/xml; charset=UTF-8', body: '<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>403</int></value></member><member><name>faultString</name><value><string>Incorrect username or password.</string></value></member></struct></value></fault></methodResponse>\n' }],
      ['/robots.txt', { kind: 'page', type: 'text/plain', body: 'User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n' }],
    ],
    [],
    [PHP],
  ),
  phpmyadmin: site(
    UBUNTU_APACHE,
    [
      ['/', { kind: 'login', body: PMA_ERROR }],
      ['/index.php', { kind: 'login', body: PMA_ERROR }],
      ['/phpmyadmin', { kind: 'redirect', location: '/phpmyadmin/', status: 301 }],
      ['/phpmyadmin/', { kind: 'login', body: PMA_ERROR }],
      ['/phpmyadmin/index.php', { kind: 'login', body: PMA_ERROR }],
    ],
    [],
    [PHP, ['Set-Cookie', 'phpMyAdmin=8f2c9d1b7e3a4f5c6d7e8f9a0b1c2d3e; path=/; HttpOnly']],
  ),
  tomcat: site(
    'Apache-Coyote/1.1',
    [['/', { kind: 'page', body: TOMCAT_HOME }]],
    [
      ['/manager', 'Tomcat Manager Application'],
      ['/host-manager', 'Tomcat Host Manager Application'],
    ],
  ),
  jenkins: site(
    'Jetty(10.0.18)',
    [
      ['/', { kind: 'redirect', location: '/login?from=%2F', status: 302 }],
      ['/login', { kind: 'page', body: JENKINS_LOGIN }],
      ['/j_spring_security_check', { kind: 'login', status: 401, body: JENKINS_ERROR }],
      ['/j_acegi_security_check', { kind: 'login', status: 401, body: JENKINS_ERROR }],
    ],
    [],
    [
      ['X-Jenkins', '2.426.3'],
      ['X-Hudson', '1.395'],
    ],
  ),
  router: site(
    'lighttpd/1.4.59',
    [
      ['/', { kind: 'page', body: ROUTER_LOGIN }],
      ['/login.cgi', { kind: 'login', body: ROUTER_ERROR }],
      ['/login.html', { kind: 'page', body: ROUTER_LOGIN }],
    ],
    [['/cgi-bin', 'Router']],
  ),
  nas: site(
    'nginx',
    [
      ['/', { kind: 'page', body: NAS_LOGIN }],
      ['/webapi/auth.cgi', { kind: 'login', type: 'application/json', body: '{"error":{"code":400},"success":false}\n' }],
      ['/webapi/entry.cgi', { kind: 'login', type: 'application/json', body: '{"error":{"code":400},"success":false}\n' }],
    ],
  ),
};

/** The page of a login route on GET (the empty form), when it differs from the error page. */
export const LOGIN_GET_PAGES: ReadonlyMap<string, string> = new Map([
  ['/wp-login.php', WP_LOGIN],
  ['/', PMA_LOGIN],
  ['/index.php', PMA_LOGIN],
  ['/phpmyadmin/', PMA_LOGIN],
  ['/phpmyadmin/index.php', PMA_LOGIN],
  ['/login.cgi', ROUTER_LOGIN],
]);

/** Content type of HTML pages. */
export const HTML_TYPE = html;

// Building the web-view's addresses. Pure functions, tested in test/url.test.js.
'use strict';

// A path inside Sunlight (`ledger/359901101201`, `projects/…`), relative to its base: no
// scheme, host, leading slash or `..`, or it is dropped (the home page instead).
function inside(to) {
  if (typeof to !== 'string' || to.length > 300) return '';
  if (to.charAt(0) === '/' || to.indexOf('..') >= 0 || to.indexOf('//') >= 0 || to.indexOf(':') >= 0) return '';
  return /^[A-Za-z0-9/\-_.?=&%#]*$/.test(to) ? to : '';
}

// Private reports are never opened inside WeChat: a WeChat identity next to a report
// defeats its anonymity (README). The shell sends the person to a plain browser instead.
function isReport(to) {
  return /^report(\/|\?|#|$)/.test(inside(to));
}

// The address the web-view opens with a one-time ticket: the server spends it for the
// session cookie and goes on to `to`.
function enterUrl(server, ticket, to) {
  var q = 't=' + encodeURIComponent(ticket);
  var path = inside(to);
  if (path) q += '&to=' + encodeURIComponent(path);
  return server + 'wechat/enter?' + q;
}

// The address of a page without signing in (public pages; the app asks for sign-in itself).
function pageUrl(server, to) {
  return server + inside(to);
}

// What a shared page is, from the web-view's present address: the path inside Sunlight,
// never a ticket (a shared ticket would sign the recipient in as the sharer; the server
// drops it from the address at once, and this drops it again).
function shareTarget(server, webViewUrl) {
  if (typeof webViewUrl !== 'string' || webViewUrl.indexOf(server) !== 0) return '';
  var rest = webViewUrl.slice(server.length);
  if (/^wechat\/enter/.test(rest)) return '';
  var parts = rest.split('#');
  var pathAndQuery = parts[0].split('?');
  var query = (pathAndQuery[1] || '').split('&').filter(function (kv) {
    return kv && !/^(t|ticket)=/.test(kv);
  });
  var path = pathAndQuery[0] + (query.length ? '?' + query.join('&') : '') + (parts[1] ? '#' + parts[1] : '');
  return inside(path);
}

// What a shared card says, from the page's path: the web-view cannot read the page's own
// title without WeChat's JS SDK in the page, which Sunlight does not load (README).
function shareTitle(target) {
  var path = inside(target).split(/[?#]/)[0];
  var m = /^ledger\/\d{12}\/(\d{4})-(\d{2})$/.exec(path);
  if (m) return '村账目 ' + m[1] + '年' + Number(m[2]) + '月 · 阳光村务';
  var titles = [
    [/^ledger\//, '村账目'],
    [/^disclosures\//, '村务公开'],
    [/^projects\//, '工程项目'],
    [/^polls/, '村民投票'],
    [/^demands/, '村民诉求'],
  ];
  for (var i = 0; i < titles.length; i++) {
    if (titles[i][0].test(path)) return titles[i][1] + ' · 阳光村务';
  }
  return '阳光村务';
}

// The mini-program page that opens a shared target.
function sharePath(target) {
  return '/pages/webview/webview' + (target ? '?to=' + encodeURIComponent(target) : '');
}

module.exports = { inside: inside, isReport: isReport, enterUrl: enterUrl, pageUrl: pageUrl, shareTarget: shareTarget, shareTitle: shareTitle, sharePath: sharePath };

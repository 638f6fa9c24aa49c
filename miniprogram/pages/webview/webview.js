// The web-view that opens Sunlight: with a one-time ticket (the server trades it for the
// session cookie and drops it from the address), or a shared page's path, signing in on
// the way when this WeChat is bound. Private reports never open here (lib/url.js).
'use strict';

var config = require('../../config.js');
var url = require('../../lib/url.js');
var api = require('../../lib/api.js');

Page({
  data: { url: '' },

  onLoad: function (query) {
    var page = this;
    var to = url.inside(decodeURIComponent(query.to || ''));
    if (url.isReport(to)) {
      wx.redirectTo({ url: '/pages/fallback/fallback?reason=report' });
      return;
    }
    if (query.ticket) {
      page.setData({ url: url.enterUrl(config.server, decodeURIComponent(query.ticket), to) });
      return;
    }
    if (query.public) {
      page.setData({ url: url.pageUrl(config.server, to) });
      return;
    }
    // A shared page: signed in where this WeChat is bound, as a visitor otherwise.
    api.signIn().then(function (answer) {
      page.setData({ url: answer.ticket ? url.enterUrl(config.server, answer.ticket, to) : url.pageUrl(config.server, to) });
    }, function () {
      page.setData({ url: url.pageUrl(config.server, to) });
    });
  },

  // The business domain is not configured (or the server cannot be reached).
  onError: function () {
    wx.redirectTo({ url: '/pages/fallback/fallback?reason=domain' });
  },

  onShareAppMessage: function (options) {
    var target = url.shareTarget(config.server, options.webViewUrl);
    return { title: url.shareTitle(target), path: url.sharePath(target) };
  },
});

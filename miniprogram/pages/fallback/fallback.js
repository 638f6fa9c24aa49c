// What cannot be opened in the web-view: private reports (by design), or anything when the
// business domain is not configured. Offers the address for a plain browser.
'use strict';

var config = require('../../config.js');

Page({
  data: { reason: '', address: '' },

  onLoad: function (query) {
    var reason = query.reason === 'report' ? 'report' : 'domain';
    this.setData({ reason: reason, address: config.server + (reason === 'report' ? 'report' : '') });
  },

  copy: function () {
    wx.setClipboardData({ data: this.data.address });
  },

  home: function () {
    wx.reLaunch({ url: '/pages/index/index' });
  },
});

// Binds this WeChat to an account, once, with the account's mobile number and password.
// The bind token came from the home page's wx.login; it lasts ten minutes and is spent
// by a right password only.
'use strict';

var api = require('../../lib/api.js');

Page({
  data: { bind: '', mobile: '', password: '', busy: false, error: '' },

  onLoad: function (query) {
    this.setData({ bind: decodeURIComponent(query.bind || '') });
  },

  onMobile: function (e) {
    this.setData({ mobile: e.detail.value });
  },

  onPassword: function (e) {
    this.setData({ password: e.detail.value });
  },

  bind: function () {
    var page = this;
    var mobile = page.data.mobile.trim();
    if (!/^1\d{10}$/.test(mobile)) return page.setData({ error: '请输入 11 位手机号。' });
    if (!page.data.password) return page.setData({ error: '请输入密码。' });
    page.setData({ busy: true, error: '' });
    api.bind(page.data.bind, mobile, page.data.password).then(function (answer) {
      wx.setStorageSync('sunlight.who', { name: answer.name || '', village: answer.village || '' });
      page.setData({ busy: false, password: '' });
      wx.redirectTo({ url: '/pages/webview/webview?ticket=' + encodeURIComponent(answer.ticket) });
    }, function (err) {
      page.setData({ busy: false, error: err.message });
    });
  },

  register: function () {
    wx.redirectTo({ url: '/pages/webview/webview?to=register' });
  },
});

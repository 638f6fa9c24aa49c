// The home page: the village's name once known, and the way in. Signing in is WeChat's
// (wx.login): a bound WeChat goes straight in; an unbound one signs in once with its
// mobile number and password (pages/signin).
'use strict';

var api = require('../../lib/api.js');

Page({
  data: { name: '', village: '', busy: false, error: '', reminded: '' },

  onShow: function () {
    var who = wx.getStorageSync('sunlight.who') || {};
    this.setData({ name: who.name || '', village: who.village || '', error: '' });
  },

  enter: function () {
    var page = this;
    page.setData({ busy: true, error: '' });
    api.signIn().then(function (answer) {
      page.setData({ busy: false });
      if (answer.ticket) {
        wx.setStorageSync('sunlight.who', { name: answer.name || '', village: answer.village || '' });
        wx.navigateTo({ url: '/pages/webview/webview?ticket=' + encodeURIComponent(answer.ticket) });
      } else {
        wx.navigateTo({ url: '/pages/signin/signin?bind=' + encodeURIComponent(answer.bind) });
      }
    }, function (err) {
      page.setData({ busy: false, error: err.message });
    });
  },

  // WeChat's subscription messages: the person agrees to each kind, one message per
  // agreement, at most three kinds per tap (WeChat's limit); each tap asks the next three.
  remind: function () {
    var page = this;
    api.templates().then(function (list) {
      var ids = list.map(function (t) { return t.template_id; });
      if (!ids.length) return page.setData({ reminded: '这个服务器没有设置消息提醒。' });
      var start = (page.asked || 0) % ids.length;
      var chunk = ids.slice(start, start + 3);
      page.asked = start + chunk.length;
      wx.requestSubscribeMessage({
        tmplIds: chunk,
        success: function (res) {
          var accepted = chunk.filter(function (id) { return res[id] === 'accept'; });
          if (!accepted.length) return page.setData({ reminded: '没有选择提醒。' });
          api.subscribe(accepted).then(function () {
            var more = page.asked < ids.length ? '再点一次，可以选择其他提醒。' : '';
            page.setData({ reminded: '好的，有新消息时会在微信里提醒您一次。' + more });
          }, function (err) {
            page.setData({ reminded: err.message });
          });
        },
        fail: function () {
          page.setData({ reminded: '微信没有打开提醒设置，请稍后再试。' });
        },
      });
    }, function (err) {
      page.setData({ reminded: err.message });
    });
  },

  // Unbinds this WeChat; the next 进入 asks for a mobile number and password.
  switchAccount: function () {
    var page = this;
    wx.showModal({
      title: '换一个账号',
      content: '这个微信将不再自动登录' + page.data.name + '的账号。下次进入时，请输入要用的手机号和密码。',
      confirmText: '换账号',
      success: function (res) {
        if (!res.confirm) return;
        api.unbind().then(function () {
          wx.removeStorageSync('sunlight.who');
          page.setData({ name: '', village: '', error: '' });
        }, function (err) {
          page.setData({ error: err.message });
        });
      },
    });
  },

  browse: function () {
    wx.navigateTo({ url: '/pages/webview/webview?public=1' });
  },

  report: function () {
    wx.navigateTo({ url: '/pages/fallback/fallback?reason=report' });
  },

  onShareAppMessage: function () {
    return { title: '阳光村务', path: '/pages/index/index' };
  },
});

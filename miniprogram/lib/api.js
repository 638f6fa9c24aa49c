// The server's WeChat sign-in endpoints, from the mini-program's native pages (wx.request:
// no cookies; the web-view has its own). Each answer's error is put in words for people.
'use strict';

var config = require('../config.js');

var WORDS = {
  bad_credentials: '手机号或密码不对。',
  not_signed_in: '登录已超时，请重新进入。',
  conflict: '这个微信或这个账号已经绑定过。请先在「我的」里解除绑定。',
  rate_limited: '尝试次数太多，请过一会儿再试。',
  not_found: '这个微信没有绑定账号。',
  internal: '微信或服务器暂时没有回应，请稍后再试。',
  invalid: '填写的内容有误。',
};

function request(method, path, body) {
  return new Promise(function (resolve, reject) {
    wx.request({
      url: config.server + path,
      method: method,
      data: body,
      header: { 'content-type': 'application/json' },
      timeout: 15000,
      success: function (res) {
        if (res.statusCode >= 200 && res.statusCode < 300) return resolve(res.data);
        var code = res.data && res.data.code;
        var err = new Error(WORDS[code] || WORDS.internal);
        err.code = code;
        reject(err);
      },
      fail: function () {
        reject(new Error('网络不通，请检查网络后再试。'));
      },
    });
  });
}

function post(path, body) {
  return request('POST', path, body);
}

// A fresh wx.login code.
function code() {
  return new Promise(function (resolve, reject) {
    wx.login({
      success: function (res) {
        if (res.code) resolve(res.code);
        else reject(new Error(WORDS.internal));
      },
      fail: function () {
        reject(new Error('微信登录没有成功，请稍后再试。'));
      },
    });
  });
}

// The message templates the server sends (`[{kind, template_id}]`).
function templates() {
  return request('GET', 'api/wechat/templates');
}

// Tells the server which templates the person accepted: one message of each.
function subscribe(accepted) {
  return code().then(function (c) {
    return post('api/wechat/subscriptions', { code: c, accepted: accepted });
  });
}

// wx.login, then the server: `{ticket, name, village}` for a bound WeChat, `{bind}` otherwise.
function signIn() {
  return new Promise(function (resolve, reject) {
    wx.login({
      success: function (res) {
        if (!res.code) return reject(new Error(WORDS.internal));
        post('api/wechat/session', { code: res.code }).then(resolve, reject);
      },
      fail: function () {
        reject(new Error('微信登录没有成功，请稍后再试。'));
      },
    });
  });
}

// Unbinds this WeChat (a fresh code proves whose it is); resolves whether it was bound.
function unbind() {
  return new Promise(function (resolve, reject) {
    wx.login({
      success: function (res) {
        post('api/wechat/unbind', { code: res.code }).then(function () { resolve(true); }, function (err) {
          if (err.code === 'not_found') resolve(false);
          else reject(err);
        });
      },
      fail: function () {
        reject(new Error('微信登录没有成功，请稍后再试。'));
      },
    });
  });
}

function bind(token, mobile, password) {
  return post('api/wechat/bind', { bind: token, mobile: mobile, password: password });
}

module.exports = { signIn: signIn, bind: bind, unbind: unbind, templates: templates, subscribe: subscribe };

// The one place a deployment configures the mini-program (see README, "Inside WeChat").
// Nothing here is secret: the AppSecret lives only in the server's configuration.
'use strict';

module.exports = {
  // The mini-program's AppID, as WeChat's console shows it. project.config.json's "appid"
  // must be the same (WeChat's developer tool reads only that one); `scripts/test` checks.
  appId: 'touristappid',
  // Where Sunlight is served: HTTPS, no port, its domain filed (ICP) and listed in the
  // console as both a request domain and a web-view business domain. Ends with "/".
  server: 'https://cunwu.example.cn/',
};

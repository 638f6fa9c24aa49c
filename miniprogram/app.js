// The mini-program: a home page, a one-time sign-in page, the web-view that opens Sunlight
// and a page for what cannot be opened here. See README, "Inside WeChat".
'use strict';

App({});

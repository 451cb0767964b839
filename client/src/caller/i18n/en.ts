import type { CallerText } from './types.js';

export const en: CallerText = {
  name: 'English',
  title: 'Show us what is happening',
  consent: 'The emergency centre asks to see what your camera sees. Only the people helping you will see it. Keep talking on the phone.',
  recording: { off: 'The video is not recorded.', 'on-demand': 'The video may be recorded for the medical record. You will see when.', always: 'The video is recorded for the medical record.' },
  start: 'Start video',
  status: { ready: 'Ready', connecting: 'Connecting…', live: 'Live: they can see your video', reconnecting: 'Reconnecting…', paused: 'Paused: they see a black picture', ended: 'The video has ended. Thank you.', expired: 'This link no longer works. Ask for a new one on the phone.', weak: 'Weak network: the picture may be blurry', unsupported: 'This browser cannot send video', camera_denied: 'The camera is not available', error: 'Something went wrong. Try again.' },
  help: {
    ios: 'The camera is blocked. Tap “aA” in the address bar, then Website Settings, set Camera to Allow, and reload.',
    android: 'The camera is blocked. Tap the lock icon left of the address, allow Camera, and reload.',
    inApp: 'This app cannot use the camera. Tap ⋯ and choose “Open in browser” (Safari or Chrome).',
    other: 'The camera is blocked. Allow the camera for this page in the browser settings and reload.',
    unsupported: 'This browser cannot send live video. Open the link in Safari or Chrome. You can still send a photo.',
    lockdown: 'This browser cannot send live video. Is Lockdown Mode on? Tap “aA” in the address bar, then Website Settings, turn Lockdown Mode off for this site and reload. You can still send a photo.',
  },
  flip: 'Switch camera', torch: 'Light', pause: 'Pause video', resume: 'Resume video',
  location: 'Share my location', locationSent: 'Location sent', photo: 'Send a photo', photoSent: 'Photo sent', codeLabel: 'Type the 6-digit code you were given on the phone', codeWrong: 'That code is not right. Check it and try again.', chat: 'Messages',
  trouble: { offline: 'No connection. Check the network and try again.', tooManyTries: 'Too many tries. Wait a little and try again.', location: 'Your location could not be found.', photo: 'The photo was not sent. Try again.' },
  send: 'Send', language: 'Language',
  from: { dispatcher: 'Emergency centre', viewer: 'Doctor or ambulance', caller: 'You' },
  presets: { hold_steady: 'Hold the phone steady.', move_closer: 'Move closer, please.', show_face: 'Show us the face of the patient.', show_chest: 'Show us the chest, so we can see the breathing.', turn_on_light: 'Turn on a light, please.', help_coming: 'Help is on the way.', stay_on_phone: 'Stay on the phone with us.' },
};

// Posts a hidden form from the page, so that the browser navigates with a real POST whose response
// can set the sign-in cookie (an interactive page talks over its circuit, which cannot set cookies).
export function postForm(action, fields) {
    const form = document.createElement('form');
    form.method = 'post';
    form.action = action;
    form.hidden = true;
    for (const [name, value] of Object.entries(fields)) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value ?? '';
        form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
}
